"""Every French string of the code and templates has its English translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = Path("locale/en/LC_MESSAGES/django.po")


def _untranslated(path):
    with open(path, "rb") as handle:
        catalogue = read_po(handle)
    return [
        message.id
        for message in catalogue
        if message.id
        and (message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))
    ]


def test_the_english_catalogue_is_complete():
    assert _untranslated(ROOT / CATALOGUE) == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")
def test_the_english_catalogue_has_every_string_of_the_code(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "*.mo", "__pycache__", "node_modules"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--ignore=tests", "--no-obsolete", "-v0"],
        cwd=copy,
        check=True,
    )
    assert _untranslated(copy / CATALOGUE) == [], "run makemessages and translate the new strings"
