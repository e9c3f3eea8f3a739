"""File-download exports (contract §13): bulk data as verified files, opened with DuckDB.

``facts`` (PostHog's enums and limits), ``models`` (answers), ``rules`` (arguments, the
≤ 7-day split, the run plan — pure), ``manifest`` (hashes, row counts, the manifest file),
``download`` (the ``Download`` a caller gets back). The I/O is ``envnb._async.file_exports``.
"""

from .download import Download

__all__ = ["Download"]
