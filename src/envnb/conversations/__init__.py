"""PostHog AI conversations: models, endpoints, stream assembly, chat-turn policy, answers."""
