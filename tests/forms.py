"""Post a form back the way a browser does: every field as the page rendered it, then a few changes.

A hand-built POST proves only that the code agrees with itself. `submit` reads the form from the page the
test client got (hidden fields, formset management forms, checked boxes, selected options, textareas), applies
the changes a person would make, presses a named button and sends it to the form's action. Changing a field the
page does not show, or pressing a button it does not have, fails the test: a browser could not do it either.

    page = client.get(url)
    response = submit(client, page, {"members-0-name": "Léa Roux"}, button="submit")
"""

from collections.abc import Mapping
from urllib.parse import urljoin

import lxml.html

# A change set to UNCHECK removes the field from the post, as unticking a box does.
UNCHECK = object()


class FormNotFound(AssertionError):
    pass


def forms_of(response) -> list:
    """The page's forms, parsed as a browser would read them."""
    document = lxml.html.fromstring(response.content.decode(response.charset or "utf-8"))
    return document.forms


def find_form(
    response,
    *,
    button: str | None = None,
    action: str | None = None,
    field: str | None = None,
    index: int | None = None,
):
    """The form holding `button` (a submit button's name, or its name=value), whose action ends with `action`,
    holding the field `field` (a name, even of a radio group with nothing ticked yet, or name=value as the page
    sets it), or the page's `index`-th form; the only form of the page when nothing is said."""
    forms = forms_of(response)
    if index is not None:
        return forms[index]
    candidates = forms
    if action is not None:
        candidates = [form for form in candidates if (form.get("action") or "").endswith(action)]
    if button is not None:
        candidates = [form for form in candidates if _button(form, button) is not None]
    if field is not None:
        name, has_value, value = field.partition("=")
        candidates = [
            form
            for form in candidates
            if (name in _field_names(form) if not has_value else (name, value) in form_fields(form))
        ]
    if len(candidates) != 1:
        described = ", ".join(f"action={form.get('action')!r}" for form in forms) or "none"
        raise FormNotFound(
            f"{len(candidates)} forms match button={button!r} action={action!r} field={field!r} on this page "
            f"(forms: {described})"
        )
    return candidates[0]


def form_fields(form) -> list[tuple[str, str]]:
    """What the browser would send for this form as it stands, without any button.

    As a browser does (and lxml's `form_values` does not): nothing inside a disabled fieldset is sent, a
    textarea loses the one line break that follows its opening tag (Django's widget writes it on purpose), and
    an empty input without a value attribute is sent empty rather than left out.
    """
    values = []
    for element in form.inputs:
        if not element.name or _disabled(element):
            continue
        if element.tag == "textarea":
            text = element.value or ""
            values.append((element.name, text[2:] if text.startswith("\r\n") else text.removeprefix("\n")))
        elif element.tag == "select":
            if element.multiple:
                values.extend((element.name, value) for value in element.value)
            elif element.value is not None:
                values.append((element.name, element.value))
        elif element.checkable and not element.checked:
            continue
        elif element.type not in ("submit", "image", "reset", "file", "button"):
            # An empty box without a value attribute is still sent, empty (lxml leaves it out).
            values.append((element.name, element.value or ""))
    return values


def _disabled(element) -> bool:
    """Disabled itself, or inside a disabled fieldset (but for that fieldset's first legend)."""
    if "disabled" in element.attrib:
        return True
    for fieldset in element.iterancestors("fieldset"):
        if "disabled" not in fieldset.attrib:
            continue
        legend = next(fieldset.iterchildren("legend"), None)
        if legend is None or not any(ancestor is legend for ancestor in element.iterancestors()):
            return True
    return False


def submit(
    client,
    response,
    changes: Mapping | None = None,
    *,
    button: str | None = None,
    action: str | None = None,
    field: str | None = None,
    index: int | None = None,
    files: Mapping | None = None,
    follow: bool = False,
    **extra,
):
    """Post (or get) the page's form back with `changes`; `button` is the submit button pressed.

    A change's value is a string (the new value), a list (every value of a multiple select or a group of
    check boxes), True (tick the box the page shows, with its own value) or UNCHECK (untick it).
    `files` maps a file input's name to an uploaded file or a list of them.
    """
    form = find_form(response, button=button, action=action, field=field, index=index)
    values = form_fields(form)
    names = _field_names(form)
    for name, value in (changes or {}).items():
        if name not in names:
            raise AssertionError(f"the form has no field {name!r}: a browser could not send it (fields: {names})")
        values = [(key, current) for key, current in values if key != name]
        if value is UNCHECK:
            continue
        if value is True:
            values.append((name, _checkbox_value(form, name)))
        elif isinstance(value, list | tuple):
            values.extend((name, str(item)) for item in value)
        else:
            values.append((name, "" if value is None else str(value)))
    if button is not None:
        pressed = _button(form, button)
        if pressed is None:
            raise AssertionError(f"the form has no button {button!r}")
        if pressed.get("name"):
            values.append((pressed.get("name"), pressed.get("value", "")))
    for name in files or {}:
        if name not in _file_inputs(form):
            raise AssertionError(f"the form has no file input {name!r}")

    url = _target(response, form)
    if (form.get("method") or "get").lower() != "post":
        return client.get(url, _as_query(values), follow=follow, **extra)
    data = _as_post(values)
    for name, uploads in (files or {}).items():
        data[name] = list(uploads) if isinstance(uploads, list | tuple) else uploads
    return client.post(url, data, follow=follow, **extra)


def _button(form, wanted: str):
    name, _, value = wanted.partition("=")
    for element in form.iter("button", "input"):
        kind = (element.get("type") or ("submit" if element.tag == "button" else "text")).lower()
        if kind != "submit":
            continue
        if element.get("name") == name and (not value or element.get("value", "") == value):
            return element
    return None


def _field_names(form) -> set[str]:
    return {element.name for element in form.inputs if element.name and not _disabled(element)}


def _file_inputs(form) -> set[str]:
    return {element.name for element in form.inputs if element.tag == "input" and element.type == "file"}


def _checkbox_value(form, name: str) -> str:
    boxes = [element for element in form.inputs if element.name == name and element.tag == "input"]
    if len(boxes) != 1:
        raise AssertionError(f"{name!r} is not one check box; pass the values to tick as a list")
    return boxes[0].get("value", "on")


def _target(response, form) -> str:
    here = response.wsgi_request.get_full_path()
    return urljoin(here, form.get("action") or here)


def _as_post(values) -> dict:
    data: dict[str, list[str]] = {}
    for name, value in values:
        data.setdefault(name, []).append(value)
    return data


def _as_query(values) -> dict:
    return _as_post(values)
