"""Who may open what: every URL pattern of the site, asked by every role for programme P's objects.

The world (tests/world.py) holds two programmes, P and Q, each with one of everything. Every role asks every
page for P's objects (P's candidacy, P's project A, P's season, day, report...); a role's signed links are its
own, and a role without one presents P's object signed for another purpose (a swapped link). `EXPECTED` says,
for each named pattern, how to build its arguments and what each role gets:

    200  the page            log  sent to the login page      302  sent elsewhere (not to the login page)
    403  refused             404  not found (someone else's)  405  method not allowed

A row marked POST is a POST-only action: its outcomes are for a POST of `data`. For every other row, each role
that is refused the page (log, 403, 404) also POSTs to it: the answer must be a refusal too, and the database
must be left exactly as it was. Every request runs in a savepoint rolled back afterwards, so each role sees
the same world.

A URL pattern with no row fails the test with the row to add: adding a page means adding one line here. The
admin's patterns follow one rule instead (`test_the_admin_is_for_django_staff_only`).
"""

import datetime
import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Criterion
from projects import services as project_services
from projects import tokens as project_tokens
from projects.models import CoachAssignment
from projects.services.follow_ups import follow_up_token
from reports import sharing
from tests.factories import CoachAssignmentFactory, ProjectFactory
from tests.patterns import named_patterns, patterns_with_routes
from tests.world import build_world
from trainings import tokens as member_tokens

pytestmark = pytest.mark.django_db

# The columns of EXPECTED, in order.
ROLES = [
    "anonymous",
    "applicant (status link)",
    "applicant (draft link)",
    "member of A",
    "member of B",
    "coach of A",  # follows project A, and reviews P's candidacies
    "other coach",  # P's coach who follows no project, and does not review
    "staff of P",
    "staff of Q",
    "trainer",  # leads P's days
    "superuser",
]


@dataclass(frozen=True)
class Row:
    kwargs: object  # (world, role) → the pattern's arguments
    outcomes: str  # one code per role, in the order of ROLES
    method: str = "GET"
    data: object = None  # (world) → what the POST sends


def none(world, role):
    return {}


def pk(attribute, key="pk"):
    """P's object named `attribute` (e.g. "candidacy"), by its primary key."""
    return lambda world, role: {key: getattr(world.p, attribute).pk}


def token(kind):
    """The role's own signed link of that kind (`world.<kind>_token`), or a swapped one."""
    return lambda world, role: {"token": getattr(world, f"{kind}_token")(role)}


def post(kwargs, outcomes, data=None):
    return Row(kwargs, outcomes, method="POST", data=data or (lambda world: {}))


def _review(world):
    return {f"score_{criterion}": "3" for criterion in Criterion.values}


# fmt: off
EXPECTED = {
    #                                                                      anon stat draf memA memB cchA cchO stfP stfQ trnr supr
    # The home page sends a logged-in person to their own pages; the icon is a static file.
    "home":                             Row(none,                         "200  200  200  200  200  302  302  302  302  302  302"),
    "favicon":                          Row(none,                         "302  302  302  302  302  302  302  302  302  302  302"),
    "health":                           Row(none,                         "200  200  200  200  200  200  200  200  200  200  200"),
    "privacy":                          Row(none,                         "200  200  200  200  200  200  200  200  200  200  200"),
    "set_language":                     post(none,                        "302  302  302  302  302  302  302  302  302  302  302",
                                             lambda world: {"language": "fr", "next": "/"}),
    "login":                            Row(none,                         "200  200  200  200  200  302  302  302  302  302  302"),
    "logout":                           post(none,                        "302  302  302  302  302  302  302  302  302  302  302"),
    "password_change":                  Row(none,                         "log  log  log  log  log  200  200  200  200  200  200"),
    "password_change_done":             Row(none,                         "log  log  log  log  log  200  200  200  200  200  200"),
    "password_reset":                   Row(none,                         "200  200  200  200  200  200  200  200  200  200  200"),
    "password_reset_done":              Row(none,                         "200  200  200  200  200  200  200  200  200  200  200"),
    "password_reset_confirm":           Row(lambda w, r: {"uidb64": "MQ", "token": "a-b"},
                                                                          "200  200  200  200  200  200  200  200  200  200  200"),
    "password_reset_complete":          Row(none,                         "200  200  200  200  200  200  200  200  200  200  200"),
    "outbox:failed":                    Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    # Seasons and programmes.
    "cohorts:cohort_list":              Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    "cohorts:programme_create":         Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    "cohorts:programme_update":         Row(pk("programme"),              "log  log  log  log  log  403  403  200  404  403  200"),
    "cohorts:cohort_create":            Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    "cohorts:call":                     Row(pk("season"),                 "200  200  200  200  200  200  200  200  200  200  200"),
    "cohorts:cohort_update":            Row(pk("season"),                 "log  log  log  log  log  403  403  200  404  403  200"),
    "reports:season":                   Row(pk("season"),                 "log  log  log  log  log  403  403  200  404  403  200"),
    "reports:season_report":            Row(pk("season"),                 "log  log  log  log  log  403  403  200  404  403  200"),
    "reports:export":                   Row(pk("export"),                 "log  log  log  log  log  403  403  200  404  403  200"),
    "reports:download":                 Row(pk("export"),                 "log  log  log  log  log  403  403  200  404  403  200"),
    # What the partner structures commit, the network of programmes, past seasons brought in: staff only.
    "cohorts:commitments":              Row(pk("season"),                 "log  log  log  log  log  403  403  200  404  403  200"),
    "cohorts:network":                  Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    "cohorts:season_import":            Row(pk("programme", "programme_pk"),
                                                                          "log  log  log  log  log  403  403  200  404  403  200"),
    "cohorts:season_import_template":   Row(pk("programme", "programme_pk"),
                                                                          "log  log  log  log  log  403  403  200  404  403  200"),
    # Mailings to a season's people: staff only.
    "cohorts:mailing":                  Row(pk("season", "cohort_pk"),    "log  log  log  log  log  403  403  200  404  403  200"),
    "cohorts:mailing_detail":           Row(lambda w, r: {"cohort_pk": w.p.season.pk, "mailing_pk": w.p.mailing.pk},
                                                                          "log  log  log  log  log  403  403  200  404  403  200"),
    # Links for funders: staff make them; the report opens with its own link only (without an account).
    "cohorts:report_share":             Row(pk("season"),                 "log  log  log  log  log  403  403  200  404  403  200"),
    "reports:shared_report":            Row(token("share"),               "404  404  404  404  404  404  404  200  404  404  200"),
    # Applicants, by signed links.
    "projects:apply":                   Row(pk("season", "cohort_pk"),    "200  200  200  200  200  200  200  200  200  200  200"),
    "projects:apply_resume":            Row(token("draft"),               "404  404  200  404  404  404  404  404  404  404  404"),
    "projects:candidacy_status":        Row(token("status"),              "404  200  404  404  404  404  404  404  404  404  404"),
    "projects:candidacy_withdraw":      post(token("status"),             "404  302  404  404  404  404  404  404  404  404  404",
                                             lambda world: {"confirm": "yes"}),
    "projects:candidacy_reply":         post(token("status"),             "404  302  404  404  404  404  404  404  404  404  404",
                                             lambda world: {"body": "Merci, voici le budget."}),
    # Months after the season, the project's contact says where it stands.
    "projects:follow_up":               Row(token("follow_up"),           "404  404  404  200  200  404  404  404  404  404  404"),
    # Staff and reviewers: candidacies.
    "projects:candidacy_list":          Row(none,                         "log  log  log  log  log  200  403  200  200  403  200"),
    "projects:candidacy_detail":        Row(pk("candidacy"),              "log  log  log  log  log  200  403  200  404  403  200"),
    "projects:candidacy_review":        post(pk("candidacy"),             "log  log  log  log  log  302  403  302  404  403  302", _review),
    "projects:candidacy_transition":    post(pk("candidacy"),             "log  log  log  log  log  403  403  302  404  403  302",
                                             lambda world: {"to_status": "under_review"}),
    "projects:attachment_download":     Row(lambda w, r: {"pk": w.p.candidacy.pk, "attachment_pk": w.p.attachment.pk},
                                                                          "log  log  log  log  log  403  403  200  404  403  200"),
    "projects:decision_messages":       Row(pk("programme", "programme_pk"),
                                                                          "log  log  log  log  log  403  403  200  404  403  200"),
    "projects:personal_data":           Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    "projects:assignment_board":        Row(pk("season", "cohort_pk"),    "log  log  log  log  log  403  403  200  404  403  200"),
    # Staff notes: staff and the project's coaches add them; each changes or deletes only their own.
    "projects:candidacy_note_create":   post(lambda w, r: {"pk": w.p.candidacy_note.candidacy_id},
                                                                          "log  log  log  log  log  302  404  302  404  404  302",
                                             lambda world: {"text": "Une note"}),
    "projects:project_note_create":     post(pk("project"),               "log  log  log  log  log  302  404  302  404  404  302",
                                             lambda world: {"text": "Une note"}),
    "projects:note_update":             Row(pk("project_note"),           "log  log  log  log  log  404  404  200  404  404  404"),
    "projects:note_delete":             post(pk("candidacy_note"),        "log  log  log  log  log  404  404  302  404  404  404"),
    # Conversations: staff write to an applicant; staff and the project's coach to its members.
    "projects:candidacy_message":       post(pk("candidacy"),             "log  log  log  log  log  403  403  302  404  403  302",
                                             lambda world: {"body": "Bonjour"}),
    "projects:project_message":         post(pk("project"),               "log  log  log  log  log  302  404  302  404  404  302",
                                             lambda world: {"body": "Bonjour"}),
    # Coaching: project A.
    "projects:my_projects":             Row(none,                         "log  log  log  log  log  200  200  403  403  403  403"),
    "projects:project_detail":          Row(pk("project"),                "log  log  log  log  log  200  404  200  404  404  200"),
    "projects:meeting_create":          Row(pk("project"),                "log  log  log  log  log  200  404  200  404  404  200"),
    "projects:meeting_update":          Row(pk("meeting"),                "log  log  log  log  log  200  404  200  404  404  200"),
    "projects:next_step_toggle":        post(lambda w, r: {"pk": w.p.project.pk, "step_pk": w.p.next_step.pk},
                                                                          "log  log  log  log  log  302  404  302  404  404  302",
                                             lambda world: {"done": "1"}),
    "projects:milestones_update":       Row(pk("project"),                "log  log  log  log  log  200  404  200  404  404  200"),
    "projects:outcome_update":          Row(pk("project"),                "log  log  log  log  log  200  404  200  404  404  200"),
    "projects:actor_create":            Row(pk("project"),                "log  log  log  log  log  200  404  200  404  404  200"),
    "projects:milestone_templates":     Row(pk("programme"),              "log  log  log  log  log  403  403  200  404  403  200"),
    # The programme's directory of actors: its staff and its coaches; reuniting cards is the staff's.
    "projects:actor_list":              Row(pk("programme", "programme_pk"),
                                                                          "log  log  log  log  log  200  200  200  404  404  200"),
    "projects:actor_new":               Row(pk("programme", "programme_pk"),
                                                                          "log  log  log  log  log  200  200  200  404  404  200"),
    # Without cards ticked on the list, the merge page sends back to the list.
    "projects:actor_merge":             Row(pk("programme", "programme_pk"),
                                                                          "log  log  log  log  log  403  403  302  404  403  302"),
    "projects:actor_detail":            Row(pk("actor"),                  "log  log  log  log  log  200  200  200  404  404  200"),
    "projects:actor_update":            Row(pk("actor"),                  "log  log  log  log  log  200  200  200  404  404  200"),
    # Collective days: planning (staff).
    "trainings:venue_list":             Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    "trainings:venue_create":           Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    "trainings:venue_update":           Row(pk("venue"),                  "log  log  log  log  log  403  403  200  404  403  200"),
    "trainings:trainer_list":           Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    "trainings:trainer_create":         Row(none,                         "log  log  log  log  log  403  403  200  200  403  200"),
    "trainings:trainer_update":         Row(pk("trainer"),                "log  log  log  log  log  403  403  200  404  403  200"),
    "trainings:calendar_generate":      Row(pk("season", "cohort_pk"),    "log  log  log  log  log  403  403  200  404  403  200"),
    "trainings:session_list":           Row(pk("season", "cohort_pk"),    "log  log  log  log  log  403  403  200  404  403  200"),
    "trainings:session_detail":         Row(pk("day"),                    "log  log  log  log  log  403  403  200  404  403  200"),
    "trainings:session_update":         Row(pk("day"),                    "log  log  log  log  log  403  403  200  404  403  200"),
    "trainings:session_cancel":         post(pk("day"),                   "log  log  log  log  log  403  403  302  404  403  302",
                                             lambda world: {"confirm": "oui"}),
    "trainings:session_reminders":      Row(pk("day"),                    "log  log  log  log  log  403  403  200  404  403  200"),
    "trainings:attestations":           Row(pk("season", "cohort_pk"),    "log  log  log  log  log  403  403  200  404  403  200"),
    "trainings:survey_results":         Row(pk("season", "cohort_pk"),    "log  log  log  log  log  403  403  200  404  403  200"),
    # Attendance: staff and the day's trainers.
    "trainings:attendance":             Row(pk("held_day"),               "log  log  log  log  log  404  404  200  404  200  200"),
    "trainings:attendance_sheet":       Row(pk("held_day"),               "log  log  log  log  log  404  404  200  404  200  200"),
    "trainings:my_sessions":            Row(none,                         "log  log  log  log  log  403  403  403  403  200  403"),
    # Members, by signed links; calendars by their secret addresses.
    "trainings:member_page":            Row(token("member"),              "404  404  404  200  200  404  404  404  404  404  404"),
    "trainings:member_answer":          Row(lambda w, r: {"token": w.member_token(r), "session_pk": w.p.day.pk},
                                                                          "404  404  404  200  404  404  404  404  404  404  404"),
    "trainings:member_attestation":     Row(token("member"),              "404  404  404  200  200  404  404  404  404  404  404"),
    "trainings:member_reply":           post(token("member"),             "404  404  404  302  302  404  404  404  404  404  404",
                                             lambda world: {"body": "Merci, à jeudi."}),
    "trainings:survey":                 Row(token("survey"),              "404  404  404  200  200  404  404  404  404  404  404"),
    "trainings:calendar_feed":          Row(lambda w, r: {"key": w.calendar_key(r)},
                                                                          "404  404  404  200  200  404  404  404  404  404  404"),
    # The day's address is in every invitation: whoever holds it may add the day to a calendar.
    "trainings:session_ics":            Row(lambda w, r: {"uid": w.p.day.uid},
                                                                          "200  200  200  200  200  200  200  200  200  200  200"),
    "trainings:attestation_check":      Row(none,                         "200  200  200  200  200  200  200  200  200  200  200"),
}
# fmt: on

# Rows of the database that a refused request may write: sessions, and the login-attempt log.
UNTRACKED_TABLES = {"django_session"}
UNTRACKED_PREFIXES = ("axes_",)


def _fingerprint() -> dict[str, str]:
    """Every table's rows, hashed: what a refused POST must leave as it was."""
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in UNTRACKED_TABLES or table.startswith(UNTRACKED_PREFIXES):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - the schema's own names
            rows = sorted(repr(row) for row in cursor.fetchall())
            digests[table] = hashlib.sha1("\n".join(rows).encode()).hexdigest()
    return digests


def _outcome(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        return "log" if location.startswith((reverse(settings.LOGIN_URL), f"/{settings.ADMIN_URL}login/")) else "302"
    return str(response.status_code)


class _Browser:
    """A role's browser: its login cookie, in a fresh client for each request, so that a logout (or a login)
    asked by one row leaves the next row's request as the role's own."""

    def __init__(self, user):
        self.cookies = None
        if user:
            client = Client()
            client.force_login(user)
            self.cookies = client.cookies

    def client(self) -> Client:
        client = Client()
        if self.cookies:
            client.cookies.load({key: morsel.value for key, morsel in self.cookies.items()})
        return client

    def get(self, url, data=None):
        return self.client().get(url, data)

    def post(self, url, data):
        return self.client().post(url, data)


def _clients(world) -> dict[str, _Browser]:
    return {name: _Browser(role.user) for name, role in world.roles.items()}


def test_every_url_pattern_has_an_expectation():
    missing = sorted(set(named_patterns()) - set(EXPECTED) - {n for n in named_patterns() if n.startswith("admin:")})
    unknown = sorted(set(EXPECTED) - set(named_patterns()))
    assert not missing, (
        "These URL patterns have no row in EXPECTED (tests/incubator/test_access_matrix.py); add one line each, "
        'e.g.  "'
        + missing[0]
        + '": Row(pk("project"), "log  log  log  log  log  200  404  200  404  404  200"),\n  '
        + "\n  ".join(missing)
    )
    assert not unknown, f"EXPECTED lists patterns the site no longer has: {unknown}"
    for name, row in EXPECTED.items():
        assert len(row.outcomes.split()) == len(ROLES), f"{name}: one outcome per role ({len(ROLES)})"


def test_every_role_gets_what_the_matrix_says_for_the_other_partys_objects():
    world = build_world()
    clients = _clients(world)
    before = _fingerprint()
    failures, requests, seen = [], 0, {}
    for name, row in EXPECTED.items():
        for role_name, expected in zip(ROLES, row.outcomes.split(), strict=True):
            role = world.roles[role_name]
            url = reverse(name, kwargs=row.kwargs(world, role))
            data = row.data(world) if row.data else None
            refused = expected in ("log", "403", "404")
            methods = [row.method] + (["POST"] if refused and row.method == "GET" else [])
            for method in methods:
                with transaction.atomic():
                    response = (
                        clients[role_name].post(url, data or {}) if method == "POST" else clients[role_name].get(url)
                    )
                    requests += 1
                    got = _outcome(response)
                    if method == row.method:
                        seen.setdefault(name, []).append(f"{got:3}")
                    if method == row.method and got != expected:
                        failures.append(f"{name} [{role_name}] {method} {url}: expected {expected}, got {got}")
                    elif refused and method == "POST":
                        if got not in ("log", "403", "404", "405"):
                            failures.append(f"{name} [{role_name}] POST {url}: refused on GET, but POST got {got}")
                        changed = [table for table, digest in _fingerprint().items() if before.get(table) != digest]
                        if changed:
                            failures.append(f"{name} [{role_name}] POST {url}: refused, yet changed {changed}")
                    transaction.set_rollback(True)
    if os.environ.get("ACCESS_MATRIX_SHOW"):
        print("\n".join(f"{name:35} {'  '.join(seen[name])}" for name in EXPECTED))
    assert not failures, f"{len(failures)} of {requests} requests:\n" + "\n".join(failures)


def test_a_funder_opens_the_report_with_its_own_link_alone():
    """The link for funders needs no account: whoever holds it reads that season's report, until it is revoked
    or past its last day; another season's link shows the other season, and no other of P's signed links opens it."""
    world = build_world()
    p, q = world.p, world.q
    visitor = Client()
    page = visitor.get(reverse("reports:shared_report", args=[sharing.share_token(p.share)]))
    assert page.status_code == 200
    assert p.season.name in page.content.decode() and q.season.name not in page.content.decode()
    assert visitor.get(reverse("reports:shared_report", args=[sharing.share_token(q.share)])).status_code == 200
    for swapped in (
        member_tokens.member_token(p.member),
        project_tokens.make_token(p.candidacy, project_tokens.STATUS),
        follow_up_token(p.follow_up),
    ):
        assert visitor.get(reverse("reports:shared_report", args=[swapped])).status_code == 404
    # Staff revoke their own season's links only: Q's, posted to P's page, is not found and keeps working.
    staff = _Browser(world.roles["staff of P"].user)
    response = staff.post(reverse("cohorts:report_share", args=[p.season.pk]), {"revoke": q.share.pk})
    assert response.status_code == 404
    assert visitor.get(reverse("reports:shared_report", args=[sharing.share_token(q.share)])).status_code == 200
    response = staff.post(reverse("cohorts:report_share", args=[p.season.pk]), {"revoke": p.share.pk})
    assert response.status_code == 302
    assert visitor.get(reverse("reports:shared_report", args=[sharing.share_token(p.share)])).status_code == 404
    q.share.expires_on = timezone.localdate() - datetime.timedelta(days=1)
    q.share.save(update_fields=["expires_on"])
    assert visitor.get(reverse("reports:shared_report", args=[sharing.share_token(q.share)])).status_code == 404


def test_staff_notes_are_read_by_staff_and_the_projects_coach_only():
    """A note is on the candidacy's and the project's pages for staff and the project's coach; never on the
    applicant's status page, the member's page, the funders' report, or another coach's pages."""
    world = build_world()
    p = world.p
    project_services.add_note(author=p.staff, text="Note sur la candidature P", candidacy=p.candidacy)
    secrets = ["Dossier solide", "À relancer en mars", "Note sur la candidature P"]
    staff, coach, other = (_Browser(world.roles[name].user) for name in ("staff of P", "coach of A", "other coach"))
    project_page = reverse("projects:project_detail", args=[p.project.pk])
    candidacy_page = reverse("projects:candidacy_detail", args=[p.candidacy_note.candidacy_id])
    for browser in (staff, coach):
        assert "À relancer en mars" in browser.get(project_page).content.decode()
    assert "Dossier solide" in staff.get(candidacy_page).content.decode()
    assert (
        "Note sur la candidature P"
        in staff.get(reverse("projects:candidacy_detail", args=[p.candidacy.pk])).content.decode()
    )
    outside = [
        Client().get(
            reverse("projects:candidacy_status", args=[world.status_token(world.roles["applicant (status link)"])])
        ),
        Client().get(reverse("trainings:member_page", args=[world.member_token(world.roles["member of A"])])),
        Client().get(reverse("reports:shared_report", args=[sharing.share_token(p.share)])),
        other.get(reverse("projects:my_projects")),
    ]
    for response in outside:
        assert response.status_code == 200
        for secret in secrets:
            assert secret not in response.content.decode(), (response.request["PATH_INFO"], secret)
    # The funders' files: the CSV datasets, zipped.
    files = Client().get(reverse("reports:shared_report", args=[sharing.share_token(p.share)]), {"format": "csv"})
    with zipfile.ZipFile(io.BytesIO(b"".join(files.streaming_content))) as archive:
        text = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    assert text and not any(secret in text for secret in secrets)


def test_a_coach_reading_the_seasons_projects_as_a_pair_does_neither_edits_them_nor_reads_their_notes():
    """In a programme whose coaches read each other's projects, the season's other coach opens project A but
    neither its notes, nor its conversation, nor any of its forms; its second coach works on it as its lead does."""
    world = build_world()
    p = world.p
    p.programme.coaches_read_season_projects = True
    p.programme.save(update_fields=["coaches_read_season_projects"])
    reader = world.roles["other coach"].user
    CoachAssignmentFactory(project=ProjectFactory(cohort=p.season), coach=reader)  # their own project, same season
    browser = _Browser(reader)
    page = browser.get(reverse("projects:project_detail", args=[p.project.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert p.project.name in content
    for secret in ("Dossier solide", "À relancer en mars", "Rendez-vous jeudi ?"):
        assert secret not in content
    assert reverse("projects:project_message", args=[p.project.pk]) not in content
    before = _fingerprint()
    refused = [
        ("GET", reverse("projects:meeting_create", args=[p.project.pk]), {}),
        ("GET", reverse("projects:milestones_update", args=[p.project.pk]), {}),
        ("GET", reverse("projects:outcome_update", args=[p.project.pk]), {}),
        ("GET", reverse("projects:actor_create", args=[p.project.pk]), {}),
        ("POST", reverse("projects:project_note_create", args=[p.project.pk]), {"text": "Une note"}),
        ("POST", reverse("projects:candidacy_note_create", args=[p.candidacy_note.candidacy_id]), {"text": "Une"}),
        ("POST", reverse("projects:project_message", args=[p.project.pk]), {"body": "Bonjour"}),
        ("POST", reverse("projects:meeting_create", args=[p.project.pk]), {}),
        ("POST", reverse("projects:note_delete", args=[p.project_note.pk]), {}),
    ]
    for method, url, data in refused:
        response = browser.post(url, data) if method == "POST" else browser.get(url)
        assert response.status_code == 404, (method, url, response.status_code)
    assert _fingerprint() == before

    CoachAssignmentFactory(project=p.project, coach=reader, role=CoachAssignment.Role.SECOND)
    content = browser.get(reverse("projects:project_detail", args=[p.project.pk])).content.decode()
    assert "Dossier solide" in content and "À relancer en mars" in content and "Rendez-vous jeudi ?" in content
    response = browser.post(reverse("projects:project_note_create", args=[p.project.pk]), {"text": "Vu en binôme"})
    assert response.status_code == 302
    assert p.project.staff_notes.filter(author=reader, text="Vu en binôme").exists()


def _admin_patterns():
    """The admin's named patterns with arguments for each: an object of its model where it takes one."""
    models = {f"{model._meta.app_label}_{model._meta.model_name}": model for model in admin.site._registry}
    for name, pattern in patterns_with_routes():
        if not name.startswith("admin:"):
            continue
        wanted = set(pattern.pattern.regex.groupindex)
        kwargs = {}
        if "app_label" in wanted:
            kwargs["app_label"] = "projects"
        if "content_type_id" in wanted:
            kwargs |= {"content_type_id": 1, "object_id": 1}
        elif wanted & {"object_id", "id"}:
            # Django's UserAdmin names its password page auth_user_…, whatever the user model's app.
            found = (model for prefix, model in models.items() if name.startswith(f"admin:{prefix}_"))
            model = next(found, get_user_model())
            obj = model._default_manager.order_by("pk").first()
            if obj is None:
                continue  # nothing of that model in the world: its object pages have nothing to show
            kwargs[next(iter(wanted & {"object_id", "id"}))] = obj.pk
        yield name, kwargs


ADMIN_PAGES = re.compile(r"^admin:(index|app_list|\w+_changelist|\w+_change)$")
# The admin treats every account without `is_staff` alike: these stand for all of them.
ADMIN_ROLES = ["anonymous", "member of A", "coach of A", "staff of P", "trainer", "superuser"]


def test_the_admin_is_for_django_staff_only():
    """Django's rule: the admin is open to `is_staff` accounts only (here, superusers); everyone else, the
    programme's staff included, is sent to the admin's login page. A superuser opens its lists and objects, and
    no admin page answers a 500."""
    world = build_world()
    clients = _clients(world)
    failures = []
    for name, kwargs in _admin_patterns():
        if name in ("admin:login", "admin:logout"):
            continue
        url = reverse(name, kwargs=kwargs)
        for role_name in ADMIN_ROLES:
            with transaction.atomic():
                response = clients[role_name].get(url)
                transaction.set_rollback(True)
            got = _outcome(response)
            if role_name == "superuser":
                if response.status_code >= 500 or (ADMIN_PAGES.match(name) and got != "200"):
                    failures.append(f"{name} [superuser] {url}: got {got}")
            elif got != "log":
                failures.append(f"{name} [{role_name}] {url}: expected the admin's login page, got {got}")
    assert not failures, "\n".join(failures)
