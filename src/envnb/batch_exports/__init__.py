"""Batch exports: destination facts, models, endpoints, rules (backfills, health) and frames."""
