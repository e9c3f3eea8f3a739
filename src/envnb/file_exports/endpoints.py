"""The endpoints of file-download exports, declared once (see ``envnb._core.request``)."""

from __future__ import annotations

from .._core.request import Endpoint
from .models import FileExport, RowCount, Started


class FileExportEndpoints:
    """``file_download_batch_exports/``: PostHog's FileDownloadBatchExportOnDemandViewSet."""

    path = "file_download_batch_exports/"
    read, write = "batch_export:read", "batch_export:write"
    list = Endpoint("GET", path, read, FileExport.model_validate, paging="offset")
    get = Endpoint("GET", path + "{id}/", read, FileExport.model_validate)
    # Not retried: a second POST would start a second run (and count against the limit).
    create = Endpoint("POST", path, write, Started.model_validate)
    # Answers 302; the resource reads the Location header itself (see _async/file_exports).
    download = Endpoint("GET", path + "{id}/download/{part}/", read, lambda body: body)
    cancel = Endpoint("POST", path + "{id}/cancel/", write, FileExport.model_validate)
    # PostHog asks for write here: a count is a ClickHouse query that costs like an export.
    count_rows = Endpoint(
        "POST", path + "count_rows/", write, RowCount.model_validate, retry_safe=True
    )
