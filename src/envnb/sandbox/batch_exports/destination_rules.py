"""Type-specific checks of a destination config, with PostHog's messages.

Each takes the validated ``config`` of the request and the ``existing`` stored config (empty
on create) and raises a 400; ``destinations.DESTINATIONS`` says which type runs which
[src: PH:posthog/batch_exports/http.py ``BatchExportSerializer.validate_destination``].
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from .. import errors

SUPPORTED_COMPRESSIONS: dict[str, list[str]] = {
    "Parquet": ["zstd", "lz4", "snappy", "gzip", "brotli"],
    "JSONLines": ["gzip", "brotli"],
}


def file_format(config: dict[str, Any], existing: dict[str, Any]) -> None:
    """A known file format, and a compression that format supports."""
    del existing  # PostHog checks the request's values only
    chosen = config.get("file_format", "JSONLines")
    if chosen not in SUPPORTED_COMPRESSIONS:
        raise errors.validation(
            f"File format {chosen} is not supported. Supported file formats are "
            f"{list(SUPPORTED_COMPRESSIONS)}",
            "destination",
        )
    compression = config.get("compression")
    if compression and compression not in SUPPORTED_COMPRESSIONS[chosen]:
        raise errors.validation(
            f"Compression {compression} is not supported for file format {chosen}. "
            f"Supported compressions are {SUPPORTED_COMPRESSIONS[chosen]}",
            "destination",
        )


def redshift_copy(config: dict[str, Any], existing: dict[str, Any]) -> None:
    """The docs-era checks of a Redshift ``mode: COPY`` config."""
    merged = deep_merge(existing, config)
    if merged.get("mode") != "COPY":
        return
    copy_inputs = merged.get("copy_inputs") or {}
    if not copy_inputs:
        raise errors.validation("Missing required inputs for 'COPY'", "destination")
    if {"s3_bucket", "region_name", "authorization", "bucket_credentials"} - copy_inputs.keys():
        raise errors.validation("Missing required input for 'COPY'", "destination")
    credential_keys = {"aws_access_key_id", "aws_secret_access_key"}
    bucket_credentials = copy_inputs["bucket_credentials"]
    if not isinstance(bucket_credentials, dict) or credential_keys - bucket_credentials.keys():
        raise errors.validation("Missing required bucket credentials for 'COPY'", "destination")
    authorization = copy_inputs.get("authorization")
    if isinstance(authorization, dict) and credential_keys - authorization.keys():
        raise errors.validation("Missing required credentials for 'COPY'", "destination")
    if isinstance(authorization, str) and not authorization.strip():
        raise errors.validation("Missing required IAM role for 'COPY'", "destination")


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Merge ``patch`` into ``base`` recursively (dicts merge, everything else replaces)."""
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


# The S3 inputs PostHog refuses when they are sent as empty strings, in its order.
_S3_NON_EMPTY = ("bucket_name", "region", "prefix", "aws_access_key_id", "aws_secret_access_key")


def s3_inputs(config: dict[str, Any], existing: dict[str, Any]) -> None:
    """No empty credential strings; no ``endpoint_url`` on a private or loopback address.

    The endpoint check is PostHog's server-side request forgery guard; the sandbox resolves no
    names, so it judges IP literals and ``localhost`` only.
    """
    del existing  # PostHog checks the request's values only
    empty = [
        name
        for name in _S3_NON_EMPTY
        if isinstance(config.get(name), str) and not config[name].strip()
    ]
    if empty:
        raise errors.validation(f"The following inputs are empty: {empty}", "destination")
    endpoint = config.get("endpoint_url")
    if isinstance(endpoint, str) and endpoint and not _public_endpoint(endpoint):
        raise errors.validation(f"Invalid endpoint_url: '{endpoint}'", "destination")


def _public_endpoint(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if not host or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name: PostHog resolves it, the sandbox cannot (see the docstring)
    return address.is_global
