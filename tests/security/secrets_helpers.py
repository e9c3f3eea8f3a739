"""What counts as a leak: the key (or a long piece of it) or a secret destination value."""

from __future__ import annotations

import uuid

SEEDED_SECRET = "sandbox-secret-"  # prefix of every secret the sandbox seeds
CANARY = f"canary-secret-{uuid.uuid4().hex[:12]}"  # our own destination secret values
# A destination whose config holds secrets: the legacy S3 type can no longer be created, so a
# Snowflake export on the seeded snowflake integration (id 3) that also sends the inline
# credentials older exports kept (still declared, never shown) — and has a connection test.
S3_WITH_SECRETS = {
    "type": "Snowflake",
    "integration_id": 3,
    "config": {
        "database": "leak_test",
        "warehouse": "COMPUTE_WH",
        "schema": "e",
        "user": CANARY + "-user",
        "password": CANARY + "-password",
    },
}


PIECE = 8  # the shortest piece of a key that counts as leaked


def pieces(secret: str, size: int = PIECE) -> list[str]:
    """Every ``size``-character piece of ``secret`` (or the whole of a shorter one)."""
    if len(secret) <= size:
        return [secret]
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def needles(key: str) -> list[str]:
    """Every 8-character piece of the key (prefix included) and the destination secrets."""
    return [*pieces(key), CANARY, SEEDED_SECRET]


def leaks(text: str, key: str) -> list[str]:
    """Which needles occur in ``text``."""
    return [n for n in needles(key) if n and n in text]
