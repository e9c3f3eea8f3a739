"""A failed connection's cause in plain words (``errors.describe_connection_error``).

Only class names and error numbers are read, never an exception's text: nothing from the
request (URL, headers, key) can leak into the description.
"""

from __future__ import annotations

_REFUSED = {111, 61, 10061}
_UNREACHABLE = {101, 113, 51, 65, 10051, 10065}
_RESET = {104, 54, 10054}
_TIMEOUT_WORDS = {
    "ConnectTimeout": "connecting took too long",
    "ReadTimeout": "the server did not answer in time",
    "WriteTimeout": "sending the request took too long",
    "PoolTimeout": "no free connection in time (too many requests at once)",
}


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from, outermost first (no cycles)."""
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and not any(cur is s for s in seen):
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def describe_connection_error(exc: BaseException) -> str:
    """The cause of a failed connection in plain words, e.g. ``the host name could not be
    resolved (DNS) [ConnectError]``.

    Looks at the exception and the ones it was raised from (httpx wraps httpcore, which
    wraps the socket's OSError): a name that does not resolve, a refused connection, an
    unreachable network, TLS, a proxy, a timeout, a connection closed mid-request. Only
    class names and error numbers are read, never the exception's text, so nothing from
    the request (URL, headers, key) can leak into the result.
    """
    import socket
    import ssl

    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    last = f"[{type(exc).__name__}]"
    if "ProxyError" in names:
        return f"the proxy refused or failed the connection (check HTTPS_PROXY/HTTP_PROXY) {last}"
    for name, words in _TIMEOUT_WORDS.items():
        if name in names:
            return f"{words} {last}"
    for e in chain:
        if isinstance(e, socket.gaierror):
            return f"the host name could not be resolved (DNS lookup failed) {last}"
        if isinstance(e, ssl.SSLCertVerificationError):
            return f"TLS failed: the server's certificate could not be verified {last}"
        if isinstance(e, ssl.SSLError):
            return f"TLS failed: the secure connection could not be set up {last}"
        if isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) in _REFUSED:
            return f"the connection was refused (nothing listens at that host and port) {last}"
        if getattr(e, "errno", None) in _UNREACHABLE:
            return f"the network or host is unreachable {last}"
        if isinstance(e, ConnectionResetError) or getattr(e, "errno", None) in _RESET:
            return f"the connection was reset by the other side {last}"
        if isinstance(e, TimeoutError):
            return f"the connection timed out {last}"
    if "RemoteProtocolError" in names:
        return f"the server closed the connection mid-request {last}"
    if "ReadError" in names:
        return f"the connection dropped while reading the answer {last}"
    if "UnsupportedProtocol" in names:
        return f"the URL's scheme is not http:// or https:// {last}"
    return type(exc).__name__
