"""tests/typing/check_clients.py (checked by mypy) calls every public method of both clients."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from envnb import AsyncClient, Client

CHECKS = (Path(__file__).parent.parent / "typing" / "check_clients.py").read_text()
RESOURCES = ("batch_exports", "conversations", "profile_configs", "file_exports", "insights")


def _public(cls: type) -> set[str]:
    return {n for n, v in inspect.getmembers(cls) if not n.startswith("_") and callable(v)}


def _called(name: str, prefix: str, body: str) -> bool:
    return re.search(rf"\b{prefix}\.{name}\(", body) is not None


def _body(function: str) -> str:
    start = CHECKS.index(function)
    end = CHECKS.find("\ndef ", start + 1)
    async_end = CHECKS.find("\nasync def ", start + 1)
    ends = [e for e in (end, async_end) if e != -1]
    return CHECKS[start : min(ends) if ends else len(CHECKS)]


def _missing(client: Client | AsyncClient, var: str, body: str) -> list[str]:
    out = [f"{var}.{m}" for m in sorted(_public(type(client))) if not _called(m, var, body)]
    for resource in RESOURCES:
        methods = _public(type(getattr(client, resource)))
        out += [
            f"{var}.{resource}.{m}"
            for m in sorted(methods)
            if not _called(m, f"{var}.{resource}", body)
        ]
    return out


def test_every_public_method_of_both_clients_is_type_checked() -> None:
    client = Client(host="http://127.0.0.1:9", api_key="phx_typing", project_id=1)
    aclient = client.to_async()
    assert _missing(client, "c", _body("def check_client(")) == []
    assert _missing(aclient, "ac", _body("async def check_async_client(")) == []
    client.close()


def test_no_public_method_takes_or_returns_any() -> None:
    # ``**fields``/``**options`` are keyword bags validated by a request model: not counted.
    found = []
    client = Client(host="http://127.0.0.1:9", api_key="phx_typing", project_id=1)
    for cls, each in ((Client, client), (AsyncClient, client.to_async())):
        owners = [cls, *(type(getattr(each, r)) for r in RESOURCES)]
        for owner in owners:
            for name in sorted(_public(owner)):
                signature = inspect.signature(getattr(owner, name))
                for param in signature.parameters.values():
                    if param.kind is not param.VAR_KEYWORD and "Any" in str(param.annotation):
                        found.append(f"{owner.__name__}.{name}({param.name})")
                if "Any" in str(signature.return_annotation):
                    found.append(f"{owner.__name__}.{name} -> ...")
    client.close()
    assert found == []
