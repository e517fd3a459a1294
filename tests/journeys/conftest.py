"""A journey is one person's story in a real browser; when it fails, what every open page showed is kept.

The screenshot and the HTML of each page still open go to test-artifacts/journeys/<test name>/, and the
folder is printed with the failure.
"""

import re
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journeys"


@pytest.fixture
def people(browser):
    """A fresh phone-sized browser context per person (375 px wide, in French); all are closed at the end."""
    contexts = []

    def new_person():
        context = browser.new_context(viewport={"width": 375, "height": 812}, locale="fr-FR")
        contexts.append(context)
        return context.new_page()

    new_person.contexts = contexts
    yield new_person
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and "people" in item.funcargs:
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", item.name)
        folder.mkdir(parents=True, exist_ok=True)
        for number, context in enumerate(item.funcargs["people"].contexts):
            for index, page in enumerate(context.pages):
                stem = folder / f"person-{number}-page-{index}"
                try:
                    page.screenshot(path=f"{stem}.png", full_page=True)
                    stem.with_suffix(".html").write_text(page.content(), encoding="utf-8")
                except Exception as error:  # a closed or crashed page: say so, keep the others
                    stem.with_suffix(".txt").write_text(f"could not save this page: {error}", encoding="utf-8")
        report.sections.append(("journey artifacts", f"screenshots and HTML saved in {folder}"))
    return report
