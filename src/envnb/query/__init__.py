"""The query API: results and their frames, query kinds, the run policy, HogQL literals, pins."""
