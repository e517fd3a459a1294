"""Backups that restore: a seeded site backed up, then restored into an empty database and empty storage.

The restore runs as its own `manage.py restore` process, pointed at a fresh database and a fresh MEDIA_ROOT,
as an operator would run it on a new machine.
"""

import json
import os
import secrets
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from outbox.models import OutgoingMail
from projects.models import Attachment, Candidacy
from tests import services
from tests.factories import AttachmentFactory, CandidacyFactory, CandidacyMemberFactory, DraftFactory

pytestmark = [pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]


def conninfo(name: str) -> str:
    db = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"] or None, dbname=name
    )


@pytest.fixture
def empty_database():
    """A fresh, empty PostgreSQL database beside the test database; yields its name, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_restore(archive: Path, *, database: str, media: Path, force: bool = False) -> subprocess.CompletedProcess:
    url = services.database_url().rsplit("/", 1)[0] + f"/{database}"
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)] + (["--force"] if force else []),
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "REDIS_URL": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def seeded_site(transactional_db):
    """Candidacies with their uploaded documents (arbitrary bytes), a draft, and outbox rows of every state."""
    candidacies = CandidacyFactory.create_batch(3)
    DraftFactory()
    for candidacy in candidacies:
        CandidacyMemberFactory(candidacy=candidacy)
        for _ in range(2):
            AttachmentFactory(
                candidacy=candidacy,
                file__filename="plan.pdf",
                file__data=b"%PDF-1.4\n" + secrets.token_bytes(3000),
            )
    for status in OutgoingMail.Status.values:
        OutgoingMail.objects.create(to=["porteur@exemple.fr"], subject=f"Objet {status}", body="Bonjour", status=status)


def test_a_backup_restores_into_an_empty_database_and_storage_with_every_candidacy_document_and_mail(
    seeded_site, empty_database, tmp_path
):
    candidacies = sorted(Candidacy.objects.values_list("public_id", "project_name", "status"))
    documents = {a.file.name: a.file.read() for a in Attachment.objects.all()}
    mails = sorted(OutgoingMail.objects.values_list("id", "subject", "status"))
    assert len(documents) == 6

    archive = tmp_path / "sauvegarde.tar"
    call_command("backup", str(archive))

    assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by the operator alone
    manifest = json.loads(tarfile.open(archive).extractfile("manifest.json").read())
    assert manifest["counts"]["projects.Candidacy"] == 4
    assert manifest["counts"]["projects.Attachment"] == 6
    assert manifest["counts"]["outbox.OutgoingMail"] == len(mails)
    assert manifest["media"]["files"] == 6
    assert "0001_initial" in manifest["migrations"]["projects"]

    media = tmp_path / "media-restored"
    result = run_restore(archive, database=empty_database, media=media)
    assert result.returncode == 0, result.stderr
    assert "restaurée" in result.stdout

    with psycopg.connect(conninfo(empty_database)) as restored:
        assert (
            sorted(restored.execute("SELECT public_id, project_name, status FROM projects_candidacy").fetchall())
            == candidacies
        )
        assert sorted(restored.execute("SELECT id, subject, status FROM outbox_outgoingmail").fetchall()) == mails
        names = [row[0] for row in restored.execute("SELECT file FROM projects_attachment").fetchall()]
    assert sorted(names) == sorted(documents)
    for name, content in documents.items():
        assert (media / name).read_bytes() == content

    # Restoring again over what is now a site with data is refused, and changes nothing...
    again = run_restore(archive, database=empty_database, media=media)
    assert again.returncode != 0
    assert "Restauration refusée" in again.stderr and "--force" in again.stderr
    # ...unless asked explicitly.
    forced = run_restore(archive, database=empty_database, media=media, force=True)
    assert forced.returncode == 0, forced.stderr
    with psycopg.connect(conninfo(empty_database)) as restored:
        assert restored.execute("SELECT count(*) FROM projects_candidacy").fetchone()[0] == 4


def test_restoring_over_a_site_that_holds_data_is_refused_in_plain_french(seeded_site, tmp_path):
    archive = tmp_path / "sauvegarde.tar"
    call_command("backup", str(archive))
    before = Candidacy.objects.count()

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive))

    assert "Restauration refusée" in str(refused.value)
    assert "relancez la commande avec --force" in str(refused.value)
    assert Candidacy.objects.count() == before


def test_restoring_a_file_that_is_no_backup_says_so(transactional_db, tmp_path):
    not_a_backup = tmp_path / "photo.tar"
    not_a_backup.write_bytes(b"rien du tout")

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(not_a_backup))

    assert "n'est pas une sauvegarde de ce site" in str(refused.value)
