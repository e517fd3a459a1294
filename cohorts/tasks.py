import logging

from celery import shared_task

from . import reports

logger = logging.getLogger(__name__)


@shared_task
def tidy_report_exports() -> None:
    failed, deleted = reports.tidy_exports()
    logger.info("Report exports: %s marked failed, %s old files deleted", failed, deleted)


@shared_task(acks_late=True)
def build_report_export(export_id: int) -> bool:
    """Build a big season's report file into the storage. Safe to run twice: a built export is not redone."""
    export = reports.build_export_file(export_id)
    logger.info("Report export %s: %s", export_id, "built" if export else "nothing to do")
    return export is not None
