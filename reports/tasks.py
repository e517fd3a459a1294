"""The reports' Celery tasks, defined beside the service that enqueues them (`exports`); named here for Celery."""

from .exports import build_report_export, tidy_report_exports

__all__ = ["build_report_export", "tidy_report_exports"]
