"""Season reports: datasets, figures, charts and the files staff hand to funders. Callers import from here."""

from .charts import Chart, report_charts
from .datasets import DATASETS, Dataset, all_datasets, estimated_rows
from .exports import (
    build_export_file,
    cohort_for_report,
    file_name,
    render_pdf,
    request_export,
    runs_in_background,
    stream_csv,
    stream_csv_zip,
    tidy_exports,
    write_table_xlsx,
    write_xlsx,
)
from .figures import SeasonReport, season_report
from .network import Network, network, network_charts, network_dataset

__all__ = [
    "Chart",
    "DATASETS",
    "Dataset",
    "Network",
    "SeasonReport",
    "all_datasets",
    "build_export_file",
    "cohort_for_report",
    "estimated_rows",
    "file_name",
    "network",
    "network_charts",
    "network_dataset",
    "render_pdf",
    "report_charts",
    "request_export",
    "runs_in_background",
    "season_report",
    "stream_csv",
    "stream_csv_zip",
    "tidy_exports",
    "write_table_xlsx",
    "write_xlsx",
]
