"""What counts as a leak: the key (or a long piece of it) or a secret destination value."""

from __future__ import annotations

import uuid

SEEDED_SECRET = "sandbox-secret-"  # prefix of every secret the sandbox seeds
CANARY = f"canary-secret-{uuid.uuid4().hex[:12]}"  # our own destination secret values
S3_WITH_SECRETS = {
    "type": "S3",
    "config": {
        "bucket_name": "leak-test",
        "region": "us-east-1",
        "prefix": "e/",
        "aws_access_key_id": CANARY + "-id",
        "aws_secret_access_key": CANARY + "-key",
    },
}


def needles(key: str) -> list[str]:
    """The key, its body without the ``phx_`` prefix, and its first/last 16 characters."""
    body = key.removeprefix("phx_")
    return [key, body, body[:16], body[-16:], CANARY, SEEDED_SECRET]


def leaks(text: str, key: str) -> list[str]:
    """Which needles occur in ``text``."""
    return [n for n in needles(key) if n and n in text]
