"""The sans-I/O core every product shares: SSE decoding, retry policy, paging plan, request
declarations, PostHog's wire conventions, settings, secrets, frames and base models."""
