"""Season reports: datasets, figures, charts and the files staff hand to funders. Callers import from here."""

from .cache import report_sections
from .charts import Chart, report_charts
from .datasets import DATASETS, Dataset, all_datasets, estimated_rows, funder_datasets
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
from .figures import SeasonReport, first_projects, season_report
from .network import Network, network, network_charts, network_dataset
from .sharing import (
    create_share,
    funder_file,
    last_day_allowed,
    record_view,
    revoke_share,
    share_from_token,
    share_url,
    too_many_views,
)

__all__ = [
    "Chart",
    "DATASETS",
    "Dataset",
    "Network",
    "SeasonReport",
    "all_datasets",
    "build_export_file",
    "cohort_for_report",
    "create_share",
    "estimated_rows",
    "file_name",
    "first_projects",
    "funder_datasets",
    "funder_file",
    "last_day_allowed",
    "network",
    "network_charts",
    "network_dataset",
    "record_view",
    "render_pdf",
    "report_charts",
    "report_sections",
    "request_export",
    "revoke_share",
    "runs_in_background",
    "season_report",
    "share_from_token",
    "share_url",
    "stream_csv",
    "stream_csv_zip",
    "tidy_exports",
    "too_many_views",
    "write_table_xlsx",
    "write_xlsx",
]
