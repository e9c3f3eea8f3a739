"""The file-download export operations (contract §13)."""

from __future__ import annotations

from ..route import Route
from . import routes

READ, WRITE = "batch_export:read", "batch_export:write"
TAG = "batch_exports"
FE = "file_download_batch_exports"

ROUTES: tuple[Route, ...] = (
    Route(
        name="file_download_batch_exports_list",
        method="GET",
        path=FE,
        handler=routes.list_runs,
        scope=READ,
        tag=TAG,
        summary="List file-download runs ({id, status}), newest first",
        response="FileDownloadRun",
        paginated=True,
    ),
    Route(
        name="file_download_batch_exports_create",
        method="POST",
        path=FE,
        handler=routes.create,
        scope=WRITE,
        tag=TAG,
        summary="Start a file-download run (<= 7 days); 429 above the concurrency limit",
        request="CreateFileDownloadRequest",
        response="FileDownloadCreated",
        status=202,
        errors=(400, 429),
    ),
    Route(
        name="file_download_batch_exports_count_rows",
        method="POST",
        path=FE + "/count_rows",
        handler=routes.count_rows,
        scope=WRITE,
        tag=TAG,
        summary="Count the rows a HogQL file download would export",
        request="FileDownloadCountRowsRequest",
        response="FileDownloadRowCount",
    ),
    Route(
        name="file_download_batch_exports_retrieve",
        method="GET",
        path=FE + "/{id}",
        handler=routes.retrieve,
        scope=READ,
        tag=TAG,
        summary="A file-download run: status, and files + records_completed once Completed",
        response="FileDownloadRun",
    ),
    Route(
        name="file_download_batch_exports_download",
        method="GET",
        path=FE + "/{id}/download",
        handler=routes.download,
        scope=READ,
        tag=TAG,
        summary="302 to the first file's signed URL; 400 while running, failed or cancelled",
        status=302,
        errors=(400,),
    ),
    Route(
        name="file_download_batch_exports_download_part",
        method="GET",
        path=FE + "/{id}/download/{part}",
        handler=routes.download,
        scope=READ,
        tag=TAG,
        summary="302 to one file's signed URL (by file id or index)",
        status=302,
        errors=(400,),
    ),
    Route(
        name="file_download_batch_exports_cancel",
        method="POST",
        path=FE + "/{id}/cancel",
        handler=routes.cancel,
        scope=WRITE,
        tag=TAG,
        summary="Cancel a Starting or Running run",
        response="FileDownloadRun",
        errors=(400,),
    ),
)
