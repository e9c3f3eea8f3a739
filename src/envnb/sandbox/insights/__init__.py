"""Saved insights: a few seeded insights of each kind, listed and retrieved as PostHog does."""
