"""Integrations: the stored credentials batch-export destinations name by id."""
