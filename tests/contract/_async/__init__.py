"""Client contract tests, written once as async code; ``../_sync/`` is generated from them."""
