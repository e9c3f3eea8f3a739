"""Batch exports: exports and their destinations, runs, backfills, logs, app metrics."""
