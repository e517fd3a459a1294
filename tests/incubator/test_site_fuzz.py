"""Whatever anyone sends to any page, the site answers without a 500, and a post it refuses writes nothing.

The pages come from the access matrix (tests/incubator/test_access_matrix.py): every pattern, with its
arguments, as every role that may open it (the visitors without a login count once, but for their signed
links). Each page is opened once to learn what it reads and holds:

- the query-string parameters it reads (every key the view asks `request.GET` for, the parameters of its own
  links and of its GET forms), which are then fuzzed;
- its POST forms, as the page renders them, which are then posted back with fuzzed values: text with any
  unicode (NUL included) or huge, numbers out of range, malformed dates, other programmes' ids, fields left
  out, fields added, lists where one value is expected.

A new page or a new form is covered without being listed. Each request runs in a savepoint rolled back
afterwards; a post the site refuses (anything but a redirect) must leave every table as it was. Hypothesis
runs derandomized, so CI sees the same examples every time.
"""

import contextlib
import os
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html
import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.forms import form_fields, forms_of
from tests.incubator.test_access_matrix import EXPECTED, ROLES, _clients, _fingerprint
from tests.world import build_world

pytestmark = pytest.mark.django_db

# Query strings tried on each page and posts of each form, per role; FUZZ_SCALE=10 tries ten times more.
EXAMPLES_PER_PAGE = 8 * int(os.environ.get("FUZZ_SCALE", "1"))
EXAMPLES_PER_FORM = 12 * int(os.environ.get("FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: the first failing example is reported as it was drawn, and the run stays bounded.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
# Parameters many pages might read, tried on every page besides those it is seen to read.
COMMON_PARAMETERS = ["page", "q", "sort", "o", "next", "format"]
# The visitors who have no login: on a page that takes no signed link they are all the same visitor.
VISITORS = set(ROLES[:5])


@dataclass
class Page:
    name: str
    role: str
    url: str
    parameters: set = field(default_factory=set)


@dataclass
class Form:
    name: str  # the page's pattern
    role: str
    action: str
    fields: list  # (name, value) as the page renders them
    buttons: list  # (name, value) of its submit buttons


@contextlib.contextmanager
def _recording_reads():
    """Every key the code asks a QueryDict for, while the block runs."""
    seen = set()
    originals = {name: getattr(MultiValueDict, name) for name in ("__getitem__", "get", "getlist", "__contains__")}

    def recorder(name):
        original = originals[name]

        def read(self, key, *args, **kwargs):
            if isinstance(self, QueryDict) and isinstance(key, str):  # not the resolver's own lookups
                seen.add(key)
            return original(self, key, *args, **kwargs)

        return read

    for name in originals:
        setattr(MultiValueDict, name, recorder(name))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(MultiValueDict, name, original)


def _same_view(url: str, path: str) -> bool:
    try:
        return resolve(urlsplit(url).path).view_name == resolve(path).view_name
    except Resolver404:
        return False


def _discover(world, clients):
    pages, forms, seen_urls, seen_forms = [], [], set(), set()
    for name, row in EXPECTED.items():
        if row.method != "GET":
            continue  # a POST-only action: its form sits on another page
        for role_name, expected in zip(ROLES, row.outcomes.split(), strict=True):
            if expected != "200":
                continue
            url = reverse(name, kwargs=row.kwargs(world, world.roles[role_name]))
            who = "visitor" if role_name in VISITORS else role_name
            if (url, who) in seen_urls:
                continue
            seen_urls.add((url, who))
            with transaction.atomic(), _recording_reads() as reads:
                response = clients[role_name].get(url)
                transaction.set_rollback(True)
            page = Page(name, role_name, url, set(reads) | set(COMMON_PARAMETERS))
            pages.append(page)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            for form in forms_of(response):
                action = urljoin(url, form.get("action") or url)
                if (form.get("method") or "get").lower() != "post":
                    if _same_view(action, url):
                        page.parameters |= {element.name for element in form.inputs if element.name}
                    continue
                key = (urlsplit(action).path, role_name)
                if key in seen_forms:
                    continue
                seen_forms.add(key)
                buttons = [
                    (button.get("name"), button.get("value", ""))
                    for button in form.iter("button", "input")
                    if (button.get("type") or ("submit" if button.tag == "button" else "text")) == "submit"
                    and button.get("name")
                ]
                forms.append(Form(name, role_name, action, form_fields(form), buttons))
            for link in lxml_links(response):
                if _same_view(urljoin(url, link), url):
                    page.parameters |= {key for key, _value in parse_qsl(urlsplit(link).query)}
    return pages, forms


def lxml_links(response):
    document = lxml.html.fromstring(response.content.decode(response.charset or "utf-8"))
    return [element.get("href") for element in document.iter("a") if element.get("href")]


def _hostile_values(world):
    """What a robot, a broken client or a curious person might send in any field."""
    q = world.q
    others = (q.programme, q.season, q.candidacy, q.project, q.day, q.venue, q.trainer, q.actor, q.share, q.mailing)
    other_ids = [str(obj.pk) for obj in (*others, q.project_note, q.candidacy_note, q.follow_up)]
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
        st.sampled_from(
            [
                "",
                "\x00",
                "a\x00b",
                "x" * 100_000,
                "-1",
                "0",
                "99999999999999999999",
                "1e309",
                "NaN",
                "3.5",
                "2026-02-30",
                "31/12/99999",
                "0000-00-00",
                "2026-13-01T25:61",
                "on",
                "true",
                "<script>alert(1)</script>",
                "../../etc/passwd",
                "%00",
                "é" * 300,
                "1,2,3",
                "²",  # digits to `str.isdigit`, not to `int`
                "١٢",
                "[]",
                "{}",
                *other_ids,
            ]
        ),
    )


# What a page may write even when it refuses a post: a draft keeps what its applicant typed.
KEEPS_WHAT_WAS_TYPED = {
    "projects:apply_resume": {"projects_candidacy", "projects_candidacymember", "auditlog_logentry"},
}


def _changes(world, names):
    """For each field: keep it, drop it, fuzz it, or send a list; and perhaps a field the form does not have."""
    value = _hostile_values(world)
    per_field = st.one_of(
        st.just(None),  # kept as the page renders it
        st.just(()),  # left out
        value.map(lambda v: (v,)),
        st.lists(value, min_size=2, max_size=3).map(tuple),
    )
    return st.fixed_dictionaries(
        {name: per_field for name in sorted(names)},
        optional={"extra-field": value.map(lambda v: (v,)), "id": value.map(lambda v: (v,))},
    )


def _post_data(form, changes):
    data: dict[str, list[str]] = {}
    for name, current in form.fields:
        if changes.get(name) is None:
            data.setdefault(name, []).append(current)
    for name, values in changes.items():
        if values is not None:
            data[name] = list(values)
    return data


def _progress(line):
    if os.environ.get("FUZZ_PROGRESS"):
        print(f"{time.monotonic():.1f} {line}", file=sys.stderr, flush=True)


def _problem(response) -> str | None:
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    return None


def test_fuzzed_query_strings_and_posts_never_break_a_page_and_refused_posts_write_nothing():
    world = build_world()
    clients = _clients(world)
    pages, forms = _discover(world, clients)
    if only := os.environ.get("FUZZ_ONLY"):  # to look closer at one pattern
        pages = [page for page in pages if page.name == only]
        forms = [form for form in forms if form.name == only]
    assert pages and forms, "the discovery found nothing to fuzz"
    before = _fingerprint()
    failures = []

    def asking(page):
        @settings(FUZZ, max_examples=EXAMPLES_PER_PAGE)
        @given(query=st.dictionaries(st.sampled_from(sorted(page.parameters)), _hostile_values(world), max_size=4))
        def ask(query):
            with transaction.atomic():
                try:
                    response = clients[page.role].get(page.url, query)
                    problem = _problem(response)
                except Exception as error:  # noqa: BLE001 - every uncaught exception is the finding
                    problem = f"raised {error!r}"
                transaction.set_rollback(True)
            assert problem is None, f"{page.name} [{page.role}] GET {page.url}: {problem} — with {query!r}"

        return ask

    for page in pages:
        _progress(f"GET {page.name} [{page.role}] {sorted(page.parameters)}")
        try:
            asking(page)()
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])

    def posting(form):
        names = {name for name, _value in form.fields} | {name for name, _value in form.buttons}

        @FUZZ
        @given(changes=_changes(world, names), button=st.sampled_from(form.buttons or [None]))
        def post(changes, button):
            data = _post_data(form, changes)
            if button and changes.get(button[0]) is None:
                data[button[0]] = [button[1]]
            with transaction.atomic():
                try:
                    response = clients[form.role].post(form.action, data)
                    problem = _problem(response)
                    if problem is None and response.status_code not in (301, 302, 303):
                        changed = [table for table, digest in _fingerprint().items() if before.get(table) != digest]
                        changed = sorted(set(changed) - KEEPS_WHAT_WAS_TYPED.get(form.name, set()))
                        if changed:
                            problem = f"refused ({response.status_code}), yet wrote to {changed}"
                except Exception as error:  # noqa: BLE001 - every uncaught exception is the finding
                    problem = f"raised {error!r}"
                transaction.set_rollback(True)
            shown = {key: [v[:60] for v in values] for key, values in data.items()}
            assert problem is None, f"{form.name} [{form.role}] POST {form.action}: {problem} — with {shown!r}"

        return post

    for form in forms:
        _progress(f"POST {form.name} [{form.role}] {form.action} {len(form.fields)} fields")
        try:
            posting(form)()
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])

    summary = f"{len(pages)} pages and {len(forms)} forms fuzzed"
    assert not failures, f"{summary}; {len(failures)} broke:\n" + "\n".join(failures)
