"""PostHog AI conversations: list/retrieve, the streamed reply and its responder."""
