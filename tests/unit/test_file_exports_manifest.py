"""Rule 3 of file downloads: a landed file is checked against the manifest (size, digest, rows)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from envnb.errors import FileExportError, RequestValidationError
from envnb.file_exports.manifest import LandedFile, LandedRun, Manifest, verify

ROWS = b'{"event": "a", "n": 1}\n{"event": "b", "n": 2}\n'


def _landed(folder: Path, rows: int = 2) -> Manifest:
    (folder / "events_0000.jsonl").write_bytes(ROWS)
    landed = LandedFile("events_0000.jsonl", len(ROWS), hashlib.sha256(ROWS).hexdigest(), rows)
    run = LandedRun("2026-11-01", "2026-11-08", "r1", rows, [landed])
    return Manifest({"format": "JSONLines"}, {"k": run})


def test_an_untouched_file_verifies(tmp_path: Path) -> None:
    verify(tmp_path, _landed(tmp_path), ["k"])


def test_a_same_size_change_is_caught_by_the_digest(tmp_path: Path) -> None:
    manifest = _landed(tmp_path)
    (tmp_path / "events_0000.jsonl").write_bytes(ROWS.replace(b'"n": 2', b'"n": 3'))
    with pytest.raises(FileExportError, match="changed or truncated since it was downloaded"):
        verify(tmp_path, manifest, ["k"])


def test_a_row_count_that_differs_is_caught(tmp_path: Path) -> None:
    with pytest.raises(FileExportError, match="2 rows, the manifest recorded 3"):
        verify(tmp_path, _landed(tmp_path, rows=3), ["k"])


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    manifest = _landed(tmp_path)
    (tmp_path / "events_0000.jsonl").unlink()
    with pytest.raises(FileExportError, match=r"events_0000\.jsonl: listed in the manifest"):
        verify(tmp_path, manifest, ["k"])


def test_a_folder_holding_another_download_is_refused(tmp_path: Path) -> None:
    manifest = _landed(tmp_path)
    manifest.save(tmp_path)
    assert Manifest.open(tmp_path, {"format": "JSONLines"}).runs["k"].run_id == "r1"
    with pytest.raises(RequestValidationError) as caught:
        Manifest.open(tmp_path, {"format": "Parquet"})
    assert caught.value.attr == "folder"
