"""Backing up the whole site and restoring it: the PostgreSQL database and the uploaded files, in one archive.

The archive is a plain tar file:

- `manifest.json`: when, the database's server and pg_dump versions, the migrations applied, how many rows each
  table had and how many uploaded files there were (counted in the very snapshot pg_dump reads);
- `database.dump`: `pg_dump --format=custom` of the database;
- `media/…`: every file under MEDIA_ROOT.

Redis holds nothing durable (the cache, and task messages that the outbox rows and beat re-create), so it is
not saved. Restoring goes into an empty database and empty storage; a site already holding data is replaced
only when asked explicitly (`force`).
"""

import datetime
import io
import json
import os
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
FORMAT_VERSION = 1


class BackupError(Exception):
    """What went wrong, in words for the person running the command."""


@dataclass(frozen=True)
class BackupOutcome:
    path: Path
    counts: dict[str, int]
    media_files: int
    media_bytes: int


@dataclass(frozen=True)
class RestoreOutcome:
    manifest: dict
    counts: dict[str, int]
    media_files: int
    replaced: bool  # the database or the storage held something, and --force replaced it
    differences: dict[str, tuple[int, int]] = field(default_factory=dict)  # table: (in the archive, restored)


def _client_environment() -> dict:
    """libpq's variables for pg_dump and pg_restore: the connection Django uses, password included."""
    db = connection.settings_dict
    variables = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db["NAME"],
    }
    return {**os.environ, **{name: value for name, value in variables.items() if value}}


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BackupError(
            _(
                "La sauvegarde et la restauration demandent PostgreSQL (DATABASE_URL=postgres://…) ; "
                "avec SQLite, copiez simplement le fichier de la base et le dossier des fichiers envoyés."
            )
        )


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    return int(match.group(1)) if match else 0


def _client_version(program: str) -> str:
    try:
        result = subprocess.run([program, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise BackupError(
            _("Le programme %(program)s est introuvable (paquet postgresql-client) : %(error)s")
            % {"program": program, "error": error}
        ) from error
    return result.stdout.strip()


def _check_client_matches_server(program: str) -> tuple[str, str]:
    client = _client_version(program)
    connection.ensure_connection()
    server_number = connection.connection.info.server_version  # e.g. 150020 for 15.20
    server = f"{server_number // 10000}.{server_number % 10000}"
    if _major(client) < server_number // 10000:
        raise BackupError(
            _(
                "%(program)s est en version %(client)s, plus ancienne que le serveur PostgreSQL (%(server)s) : "
                "installez le client de la même version que le serveur."
            )
            % {"program": program, "client": client, "server": server}
        )
    return client, server


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def _row_counts() -> dict[str, int]:
    """Rows of every table the site's models keep (proxies and unmanaged models aside).

    A table that a restored older backup does not have yet (its migration comes later) is left out.
    """
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in tables
    }


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {label: sorted(names) for label, names in sorted(applied.items())}


def back_up(*, target: Path) -> BackupOutcome:
    """Writes the archive `target` (a .tar file): the database as pg_dump reads it, and every uploaded file."""
    _require_postgresql()
    client, server = _check_client_matches_server("pg_dump")
    media_root = Path(settings.MEDIA_ROOT)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DUMP
        # The counts and the dump read one snapshot: the manifest says exactly what the dump holds, even while
        # the site keeps working.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _row_counts()
            migrations = _migrations()
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={dump}"],
                env=_client_environment(),
                capture_output=True,
                text=True,
            )
        if result.returncode != 0:
            raise BackupError(_("pg_dump a échoué : %(error)s") % {"error": result.stderr.strip()})
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database": {"name": connection.settings_dict["NAME"], "server": server, "pg_dump": client},
            "migrations": migrations,
            "counts": counts,
            "media": {"files": len(files), "bytes": sum(path.stat().st_size for path in files)},
        }
        partial = target.with_name(target.name + ".partial")
        # The archive holds every applicant's personal data: readable by its owner alone.
        partial.touch(mode=0o600)
        partial.chmod(0o600)
        try:
            with tarfile.open(partial, "w") as archive:
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(datetime.datetime.now().timestamp())
                archive.addfile(info, io.BytesIO(data))
                archive.add(dump, arcname=DUMP)
                for path in files:
                    archive.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise BackupError(_("L'archive n'a pas pu être écrite : %(error)s") % {"error": error}) from error
        partial.replace(target)  # a backup cut short never passes for a whole one
    return BackupOutcome(path=target, counts=counts, media_files=len(files), media_bytes=manifest["media"]["bytes"])


def read_manifest(archive_path: Path) -> dict:
    try:
        with tarfile.open(archive_path, "r") as archive:
            member = archive.extractfile(MANIFEST)
            return json.loads(member.read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as error:
        raise BackupError(
            _("%(path)s n'est pas une sauvegarde de ce site : %(error)s") % {"path": archive_path, "error": error}
        ) from error


def restore(*, archive_path: Path, force: bool = False) -> RestoreOutcome:
    """Restores the archive into this site's database and MEDIA_ROOT, which must be empty unless `force`."""
    _require_postgresql()
    archive_path = Path(archive_path)
    manifest = read_manifest(archive_path)
    _check_client_matches_server("pg_restore")
    media_root = Path(settings.MEDIA_ROOT)
    tables = connection.introspection.table_names()
    existing_files = _media_files(media_root)
    if (tables or existing_files) and not force:
        raise BackupError(
            _(
                "Restauration refusée : la base « %(database)s » contient déjà %(tables)d tables et le dossier "
                "%(media)s %(files)d fichiers. La restauration les remplacerait ; si c'est bien ce que vous "
                "voulez, relancez la commande avec --force."
            )
            % {
                "database": connection.settings_dict["NAME"],
                "tables": len(tables),
                "media": media_root,
                "files": len(existing_files),
            }
        )
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive_path, "r") as archive:
        archive.extract(DUMP, path=work, filter="data")
        connection.close()  # pg_restore replaces the tables this process may have open
        result = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction"]
            + [f"--dbname={connection.settings_dict['NAME']}", str(Path(work) / DUMP)],
            env=_client_environment(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(
                _("pg_restore a échoué, la base est restée comme avant : %(error)s") % {"error": result.stderr.strip()}
            )
        media_members = [
            member for member in archive.getmembers() if member.isfile() and member.name.startswith(f"{MEDIA}/")
        ]
        media_root.mkdir(parents=True, exist_ok=True)
        for member in media_members:
            member.name = member.name.removeprefix(f"{MEDIA}/")
            archive.extract(member, path=media_root, filter="data")  # nothing written outside MEDIA_ROOT
    counts = _row_counts()
    expected = manifest.get("counts", {})
    differences = {
        label: (count, counts.get(label, 0))
        for label, count in sorted(expected.items())
        if counts.get(label, 0) != count
    }
    return RestoreOutcome(
        manifest=manifest,
        counts=counts,
        media_files=len(media_members),
        replaced=bool(tables or existing_files),
        differences=differences,
    )
