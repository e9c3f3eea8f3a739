"""The sandbox's query API: HogQL over PostHog's tables, TrendsQuery, async runs.

Modules: ``api`` (the ``query/`` handlers), ``hogql`` (HogQL → DuckDB), ``events`` (the seeded
``events`` table), ``trends`` (TrendsQuery), ``state`` (async runs kept between requests).
"""
