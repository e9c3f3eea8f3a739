"""``Download``: the files a ``download()`` landed, verified, opened with DuckDB or Arrow."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FileExportError
from .facts import COLUMNS
from .manifest import Manifest, reader_sql, verify

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow.dataset

# Above this many rows .df() refuses: a frame that size takes several GB of memory, and
# DuckDB answers the same questions over the files without loading them.
DF_MAX_ROWS = 5_000_000


class Download:
    """A folder of verified export files and their manifest (``manifest.json``)."""

    def __init__(self, folder: Path, manifest: Manifest, spans: list[str]) -> None:
        self.folder = folder
        self.manifest = manifest
        # The runs of this download; the folder may also hold other ranges landed earlier.
        self.spans = spans

    def __repr__(self) -> str:
        return (
            f"<Download {self.manifest.request['model']} {len(self.files)} files, "
            f"{self.records} records in {str(self.folder)!r}>"
        )

    @property
    def files(self) -> list[Path]:
        """The landed files, in time order."""
        runs = self.manifest.runs
        return [self.folder / f.name for key in self.spans for f in runs[key].files]

    @property
    def records(self) -> int:
        """Rows across every run (PostHog's ``records_completed``, checked against the files)."""
        return sum(self.manifest.runs[key].records_completed for key in self.spans)

    @property
    def format(self) -> str:
        """``Parquet`` or ``JSONLines``."""
        return str(self.manifest.request["format"])

    def verify(self) -> Download:
        """Re-read every file: size, sha256 and row count must match the manifest.

        Raises FileExportError naming the first file that differs (a truncated or changed
        file). Returns self, so ``dl.verify().duckdb()`` reads.
        """
        verify(self.folder, self.manifest, self.spans)
        return self

    def duckdb(
        self, connection: duckdb.DuckDBPyConnection | None = None
    ) -> duckdb.DuckDBPyRelation:
        """A DuckDB relation over the files (nothing is loaded until it is queried).

        ``connection``: yours (the relation can then be joined with your tables), else
        DuckDB's default connection.
        """
        import duckdb

        con = connection if connection is not None else duckdb.default_connection()
        if not self.files:
            return con.sql(self._empty_sql())
        paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in self.files)
        return con.sql(f"SELECT * FROM {reader_sql(self.format)}([{paths}])")

    def _empty_sql(self) -> str:
        """No run had a row, so PostHog wrote no file: no rows, the model's columns."""
        model = self.manifest.request["model"]
        pairs = COLUMNS.get(model) or self.manifest.columns
        if not pairs:
            raise FileExportError(
                f"{self.folder}: the download has no rows, so no files to read, and its "
                "columns were not recorded"
            )
        columns = ", ".join(
            f"CAST(NULL AS {kind}) AS " + '"' + name.replace('"', '""') + '"'
            for name, kind in pairs
        )
        return f"SELECT {columns} LIMIT 0"

    def arrow(self) -> pyarrow.dataset.Dataset:
        """A ``pyarrow.dataset.Dataset`` over the files (Parquet: read lazily from disk)."""
        import pyarrow.dataset as ds

        if self.format == "Parquet" and self.files:
            return ds.dataset([str(p) for p in self.files], format="parquet")
        # pyarrow reads no compressed JSON Lines, nor columns without a file; DuckDB does.
        return ds.dataset(self.duckdb().to_arrow_table())

    def df(self, max_rows: int = DF_MAX_ROWS) -> pd.DataFrame:
        """The rows as a pandas DataFrame; refuses above ``max_rows`` (FileExportError)."""
        if self.records > max_rows:
            raise FileExportError(
                f"{self.records:,} rows is more than .df() loads (max_rows={max_rows:,}): "
                "query the files with .duckdb() (or .arrow()) and bring only the answer into "
                "pandas, e.g. dl.duckdb().aggregate(...).df()"
            )
        return self.duckdb().df()
