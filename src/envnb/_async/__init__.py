"""The I/O side, written once as async code; ``_sync/`` is generated from it by
``scripts/unasync.py`` (run it after any change here; ``--check`` fails when it is stale)."""
