"""describe_connection_error: the cause of a failed connection in words, from the chain."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from envnb.errors import describe_connection_error


def _raised(outer: BaseException, inner: BaseException) -> BaseException:
    """``outer`` raised from ``inner``, as httpx raises from httpcore from the socket."""
    try:
        try:
            raise inner
        except BaseException as low:
            raise outer from low
    except BaseException as caught:
        return caught


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        (
            socket.gaierror(-2, "Name or service not known"),
            "the host name could not be resolved (DNS lookup failed) [ConnectError]",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "the connection was refused (nothing listens at that host and port) [ConnectError]",
        ),
        (
            ssl.SSLCertVerificationError(1, "certificate verify failed"),
            "TLS failed: the server's certificate could not be verified [ConnectError]",
        ),
        (
            ssl.SSLError(1, "wrong version number"),
            "TLS failed: the secure connection could not be set up [ConnectError]",
        ),
        (
            OSError(101, "Network is unreachable"),
            "the network or host is unreachable [ConnectError]",
        ),
    ],
)
def test_socket_causes_under_a_connect_error(inner: BaseException, expected: str) -> None:
    assert describe_connection_error(_raised(httpx.ConnectError("x"), inner)) == expected


def test_proxy_and_timeouts_by_httpx_class() -> None:
    assert describe_connection_error(httpx.ProxyError("407")) == (
        "the proxy refused or failed the connection (check HTTPS_PROXY/HTTP_PROXY) [ProxyError]"
    )
    assert describe_connection_error(httpx.ReadTimeout("t")) == (
        "the server did not answer in time [ReadTimeout]"
    )
    assert describe_connection_error(httpx.ConnectTimeout("t")) == (
        "connecting took too long [ConnectTimeout]"
    )


def test_never_reads_the_exception_text() -> None:
    secret = "phx_secret_key_in_a_message"
    err = _raised(httpx.ConnectError(f"failed for {secret}"), OSError(f"boom {secret}"))
    assert secret not in describe_connection_error(err)
    assert describe_connection_error(httpx.ConnectError(secret)) == "ConnectError"
