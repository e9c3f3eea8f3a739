"""HogQL queries collected from PostHog's tests and docs, each with the answer PostHog gives."""
