"""The audit trail: who changed what and when, kept by django-auditlog in one table with a diff per change.

Each app names the models it records in its `AppConfig.ready` through `track()`: which fields never enter the
trail (private notes, secrets), which are recorded as « modifié » without their value (what an applicant typed),
and how values read in French. Writes that bypass `save()` (bulk updates) are recorded through `record_changes`;
requests that change nothing but must be known (a personal-data export) through `record_event`.

The trail never keeps an IP address. When a person is erased, `scrub` rewrites the rows that name them.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.db.models.signals import pre_save
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .dates import format_date

Action = LogEntry.Action

# What a changed hidden field shows instead of its value.
HIDDEN = "•"
# Signed-link pages: the person acting has no account; the trail says who they are without naming them.
SIGNED_LINK_ACTORS = {
    "projects:apply": "applicant",
    "projects:apply_resume": "applicant",
    "projects:candidacy_status": "applicant",
    "projects:candidacy_withdraw": "applicant",
    "projects:candidacy_reply": "applicant",
    "trainings:member_reply": "member",
    "trainings:member_page": "member",
    "trainings:member_answer": "member",
}
ACTOR_LABELS = {
    "applicant": gettext_lazy("La personne qui candidate (lien personnel)"),
    "member": gettext_lazy("Un membre du projet (lien personnel)"),
}
ACTION_LABELS = {
    Action.CREATE: gettext_lazy("Création"),
    Action.UPDATE: gettext_lazy("Modification"),
    Action.DELETE: gettext_lazy("Suppression"),
    Action.ACCESS: gettext_lazy("Consultation"),
}
EVENT_LABELS = {
    "personal_data_export": gettext_lazy("Données personnelles exportées"),
    "personal_data_erasure": gettext_lazy("Données personnelles effacées"),
}
ERASED = gettext_lazy("[effacé]")
# Automatic timestamps say nothing the entry's own date does not.
NEVER_RECORDED = ["created_at", "updated_at"]


def hide_value(value: str) -> str:
    """auditlog's mask: nothing of the value is kept, only the fact that it changed."""
    return HIDDEN


@dataclass
class Tracked:
    hidden: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)
    choices: dict[str, dict] = field(default_factory=dict)


_tracked: dict[type[models.Model], Tracked] = {}


def track(model, *, exclude=(), hidden=(), m2m=(), labels=None, choices=None) -> None:
    """Record every save and deletion of `model`.

    `exclude`: fields never recorded; `hidden`: fields recorded as changed, never with their value;
    `labels` names extra keys written by `record_changes`; `choices` gives labels for values of JSON lists.
    """
    auditlog.register(
        model,
        # Only the row's own columns: on a creation auditlog would otherwise read every reverse relation too
        # (a query each, and a cached « no such row » left on the instance).
        include_fields=[f.name for f in model._meta.concrete_fields if not f.primary_key],
        exclude_fields=[*NEVER_RECORDED, *exclude],
        mask_fields=list(hidden),
        mask_callable="incubator.audit.hide_value",
        m2m_fields=set(m2m),
    )
    _tracked[model] = Tracked(hidden=set(hidden), labels=dict(labels or {}), choices=dict(choices or {}))


def is_tracked(model) -> bool:
    return model in _tracked


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware (the logged-in person becomes the actor), without the IP address, and naming the
    kind of person behind a signed link."""

    def get_extra_data(self, request):
        data = super().get_extra_data(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return data
        kind = SIGNED_LINK_ACTORS.get(match.view_name)
        if kind and data.get("actor") is None:
            data["additional_data"] = {"by": kind}
        return data


# --- Writing -------------------------------------------------------------------------------------------


def _entry(instance, *, action, changes, event="", content_type=None, object_repr=None) -> LogEntry:
    return LogEntry(
        content_type=content_type or ContentType.objects.get_for_model(instance),
        object_pk=str(instance.pk),
        object_id=instance.pk if isinstance(instance.pk, int) else None,
        object_repr=str(instance) if object_repr is None else str(_call(object_repr, instance)),
        action=action,
        changes=changes,
        changes_text=event,
    )


def _call(value, instance):
    return value(instance) if callable(value) else value


def record_changes(rows, *, action=Action.UPDATE) -> int:
    """Record changes made without `save()` (bulk writes): `rows` yields (instance, {field: [before, after]}).

    One insert for them all. Returns how many entries were written.
    """
    entries = [_entry(instance, action=action, changes=changes) for instance, changes in rows if changes]
    if not entries:
        return 0
    _stamp(entries)
    LogEntry.objects.bulk_create(entries)
    return len(entries)


def record_created(instances) -> int:
    """Record rows made by `bulk_create`, with the values they were created with."""
    rows = []
    for instance in instances:
        tracked = _tracked.get(type(instance))
        excluded = set(auditlog.get_model_fields(type(instance))["exclude_fields"]) if tracked else set()
        changes = {}
        for model_field in instance._meta.concrete_fields:
            if model_field.primary_key or model_field.name in excluded:
                continue
            value = getattr(instance, model_field.attname)
            if value in (None, ""):
                continue
            changes[model_field.name] = [
                "None",
                HIDDEN if tracked and model_field.name in tracked.hidden else str(value),
            ]
        rows.append((instance, changes))
    return record_changes(rows, action=Action.CREATE)


def record_event(instances, *, event: str, object_repr=None) -> int:
    """Record that something happened to these rows without changing them (e.g. an export), without any data."""
    entries = [
        _entry(instance, action=Action.ACCESS, changes=None, event=event, object_repr=object_repr)
        for instance in instances
    ]
    _stamp(entries)
    LogEntry.objects.bulk_create(entries)
    return len(entries)


def _stamp(entries) -> None:
    """bulk_create skips the pre_save signal through which auditlog's middleware (or `set_actor`) names who
    acted: it is sent here, so that only a context still open fills the entries in, as for a save."""
    for entry in entries:
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using=None, update_fields=None)


# --- Reading -------------------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    before: str
    after: str
    hidden: bool = False


@dataclass
class HistoryEntry:
    at: datetime.datetime
    action: str
    subject: str
    actor: str
    changes: list[Change]


def entries_for(*targets) -> models.QuerySet:
    """The trail of some rows: each target is a model instance, a queryset of one model, or a list of instances
    of one model (rows a page has fetched already: their keys are written into the query, no subquery)."""
    conditions = []
    for target in targets:
        if isinstance(target, models.QuerySet):
            content_type = ContentType.objects.get_for_model(target.model)
            conditions.append(models.Q(content_type=content_type, object_id__in=target.values("pk")))
        elif isinstance(target, list):
            if target:
                content_type = ContentType.objects.get_for_model(target[0])
                conditions.append(models.Q(content_type=content_type, object_id__in=[row.pk for row in target]))
        else:
            content_type = ContentType.objects.get_for_model(target)
            conditions.append(models.Q(content_type=content_type, object_pk=str(target.pk)))
    if not conditions:
        return LogEntry.objects.none()
    return LogEntry.objects.filter(reduce(or_, conditions)).select_related("actor").order_by("-timestamp", "-pk")


def history(*targets, limit: int = 100) -> list[HistoryEntry]:
    """The trail of some rows in French, newest first: one query, plus one per kind of row a change points to."""
    return describe(list(entries_for(*targets)[:limit]))


def describe(entries: list[LogEntry]) -> list[HistoryEntry]:
    references = _referenced_objects(entries)
    return [_describe(entry, references) for entry in entries]


def _model_of(entry):
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def _referenced_objects(entries) -> dict:
    """Every row a foreign-key change points to, fetched in one query per model."""
    wanted: dict[type, set] = {}
    for entry in entries:
        model = _model_of(entry)
        if model is None:
            continue
        for name, values in (entry.changes or {}).items():
            model_field = _field(model, name)
            if model_field is None or not model_field.is_relation or model_field.many_to_many:
                continue
            for value in _pair(values):
                if value not in ("None", "", None, HIDDEN):
                    wanted.setdefault(model_field.related_model, set()).add(str(value))
    found = {}
    for model, pks in wanted.items():
        valid = [pk for pk in pks if pk.isdigit()]
        for obj in model._base_manager.filter(pk__in=valid):
            found[(model, str(obj.pk))] = str(obj)
    return found


def _pair(values):
    return values if isinstance(values, list | tuple) else []


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _describe(entry: LogEntry, references: dict) -> HistoryEntry:
    model = _model_of(entry)
    verbose = str(model._meta.verbose_name).capitalize() if model else ""
    subject = f"{verbose} « {entry.object_repr} »" if verbose else entry.object_repr
    return HistoryEntry(
        at=entry.timestamp,
        action=describe_action(entry),
        subject=subject,
        actor=actor_label(entry),
        changes=_changes(entry, model, references),
    )


def describe_action(entry: LogEntry) -> str:
    if entry.changes_text in EVENT_LABELS:
        return str(EVENT_LABELS[entry.changes_text])
    return str(ACTION_LABELS.get(entry.action, ""))


def changed_labels(entry: LogEntry) -> list[str]:
    """The names of the fields an entry changed, without their values (no query)."""
    model = _model_of(entry)
    tracked = _tracked.get(model, Tracked())
    labels = []
    for name in entry.changes or {}:
        label = tracked.labels.get(name) or getattr(_field(model, name) if model else None, "verbose_name", name)
        labels.append(str(label))
    return labels


def actor_label(entry: LogEntry) -> str:
    if entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.email
    kind = (entry.additional_data or {}).get("by")
    if kind in ACTOR_LABELS:
        return str(ACTOR_LABELS[kind])
    return _("Le site (tâche automatique)")


def _changes(entry, model, references) -> list[Change]:
    tracked = _tracked.get(model, Tracked())
    result = []
    for name, values in (entry.changes or {}).items():
        if isinstance(values, dict):  # many-to-many: {"type": "m2m", "operation": "add", "objects": [...]}
            model_field = _field(model, name)
            label = str(getattr(model_field, "verbose_name", name))
            objects = ", ".join(values.get("objects", []))
            if values.get("operation") == "add":
                result.append(Change(label=label, before="", after=_("ajout : %(objects)s") % {"objects": objects}))
            else:
                result.append(Change(label=label, before="", after=_("retrait : %(objects)s") % {"objects": objects}))
            continue
        before, after = (list(_pair(values)) + [None, None])[:2]
        if name in tracked.labels:
            label = str(tracked.labels[name])
            model_field = None
        else:
            model_field = _field(model, name) if model else None
            label = str(getattr(model_field, "verbose_name", name))
        hidden = name in tracked.hidden or HIDDEN in (before, after)
        if entry.action == Action.CREATE and hidden:
            continue
        result.append(
            Change(
                label=label[:1].upper() + label[1:],
                before="" if hidden else _value(model_field, before, references, tracked.choices.get(name)),
                after="" if hidden else _value(model_field, after, references, tracked.choices.get(name)),
                hidden=hidden,
            )
        )
    return result


def _value(model_field, value, references, choices=None) -> str:
    if value in (None, "None", ""):
        return "—"
    value = str(value)
    if model_field is None:
        return value
    if model_field.is_relation:
        return references.get((model_field.related_model, value), _("n° %(pk)s (supprimé)") % {"pk": value})
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("oui") if value == "True" else _("non")
    if isinstance(model_field, models.DateTimeField):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        return format_date(timezone.localtime(moment), "j F Y, H:i")
    if isinstance(model_field, models.DateField):
        try:
            return format_date(datetime.date.fromisoformat(value[:10]), "j F Y")
        except ValueError:
            return value
    if isinstance(model_field, models.TimeField):
        return value[:5].replace(":", " h ")
    if isinstance(model_field, models.JSONField):
        try:
            items = json.loads(value)
        except ValueError:
            return value
        if isinstance(items, list):
            labels = choices or {}
            return ", ".join(str(labels.get(item, item)) for item in items) or "—"
    return value


# --- Erasure -------------------------------------------------------------------------------------------


def scrub(*, targets=(), within=(), everywhere=(), object_repr=None) -> int:
    """Take a person out of the trail; returns how many rows were rewritten.

    `targets` (instances or querysets) are the rows whose entries are rewritten: they take `object_repr` (or
    the row's present name), and the `within` values (a name, an address...) are replaced by « [effacé] » in
    them. The `everywhere` values are searched in every entry of the trail and replaced the same way.
    """
    pending = {}
    for target in targets:
        instances = list(target) if isinstance(target, models.QuerySet) else [target]
        for instance in instances:
            repr_now = str(object_repr) if object_repr is not None else str(instance)
            for entry in entries_for(instance):
                entry.object_repr = repr_now
                entry.serialized_data = None
                pending[entry.pk] = entry
    everywhere = _needles(everywhere)
    if everywhere:
        as_text = models.TextField()
        searched = LogEntry.objects.annotate(
            changes_as_text=Cast("changes", as_text), data_as_text=Cast("serialized_data", as_text)
        )
        for entry in searched.filter(reduce(or_, map(_mentions, everywhere))):
            pending.setdefault(entry.pk, entry)
    needles = sorted(set(_needles(within)) | set(everywhere), key=len, reverse=True)
    # Stored in the site's reference language, whoever's request wrote it.
    with translation.override(settings.LANGUAGE_CODE):
        erased = str(ERASED)
    for entry in pending.values():
        for name in ("object_repr", "changes_text", "changes", "serialized_data"):
            setattr(entry, name, _replace(getattr(entry, name), needles, erased))
    LogEntry.objects.bulk_update(
        list(pending.values()), ["object_repr", "changes_text", "changes", "serialized_data"], batch_size=500
    )
    return len(pending)


def _needles(values) -> list[str]:
    # Too short a value would blank unrelated words.
    return sorted({value.strip() for value in values if value and len(value.strip()) >= 3}, key=len, reverse=True)


def _mentions(needle: str) -> models.Q:
    # JSON columns are text on PostgreSQL; SQLite keeps them with \u escapes: both spellings are searched.
    escaped = json.dumps(needle)[1:-1]
    return (
        models.Q(object_repr__icontains=needle)
        | models.Q(changes_text__icontains=needle)
        | models.Q(changes_as_text__icontains=needle)
        | models.Q(changes_as_text__icontains=escaped)
        | models.Q(data_as_text__icontains=needle)
        | models.Q(data_as_text__icontains=escaped)
    )


def _replace(value, needles, erased):
    if isinstance(value, str):
        for needle in needles:
            value = re.sub(re.escape(needle), erased, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_replace(item, needles, erased) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, needles, erased) for key, item in value.items()}
    return value
