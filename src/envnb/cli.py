"""Command line: ``envnb sandbox`` serves the emulator; ``envnb demo`` adds JupyterLab."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any


def _sandbox_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8010, help="port (0 = any free port)")
    parser.add_argument("--db", default=None, help="SQLite file that survives restarts")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    parser.add_argument("--faults", default=None, help="fault spec, e.g. 'status=503,rate=0.1'")
    parser.add_argument("--canary", action="store_true", help="seed XSS canary strings")
    parser.add_argument("--batch-exports", type=int, default=12)
    parser.add_argument("--conversations", type=int, default=600)
    parser.add_argument("--profile-configs", type=int, default=8)
    parser.add_argument(
        "--stream-delay", type=float, default=0.02, help="seconds between streamed frames"
    )
    parser.add_argument(
        "--backfill-pace", type=float, default=1.0, help="seconds between two backfill runs"
    )


def _make(args: argparse.Namespace, port: int) -> Any:
    from envnb.sandbox import FaultSpecError, Sandbox, SandboxDatabaseError

    try:
        return Sandbox(
            seed=args.seed,
            db=args.db,
            faults=args.faults,
            host=args.host,
            port=port,
            batch_exports=args.batch_exports,
            conversations=args.conversations,
            profile_configs=args.profile_configs,
            stream_delay=args.stream_delay,
            canary=args.canary,
            backfill_pace=args.backfill_pace,
        )
    except FaultSpecError as exc:
        raise SystemExit(f"envnb: bad --faults: {exc}") from None
    except SandboxDatabaseError as exc:
        raise SystemExit(f"envnb: bad --db: {exc}") from None


def _announce(sb: Any) -> None:
    print(f"envnb sandbox serving at {sb.url}", flush=True)
    print(f"  project id: {sb.project_id}")
    print(f"  api key:    {sb.api_key}   (a local sandbox key, not a PostHog secret)")
    print(
        f"  try: curl -H 'Authorization: Bearer {sb.api_key}' "
        f"{sb.url}/api/environments/{sb.project_id}/conversations/"
    )
    for name, value in sb.env().items():
        print(f"  export {name}={value}")
    print("  Ctrl-C to stop", flush=True)


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Serve the sandbox in the foreground."""
    sb = _make(args, args.port)
    with contextlib.suppress(KeyboardInterrupt):
        sb.serve_forever(announce=_announce)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Start a sandbox in-process, then JupyterLab on notebooks/ pointed at it."""
    notebooks = Path(args.notebooks).resolve()
    sb = _make(args, args.port).start()
    env = {**os.environ, **sb.env()}
    _announce(sb)
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--notebook-dir={notebooks}",
        f"--ServerApp.port={args.lab_port}",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers often run as root; Jupyter refuses it
    print(
        f"envnb demo: starting JupyterLab on {notebooks} (the URL with its token follows)",
        flush=True,
    )
    lab = subprocess.Popen(command, env=env)
    # A terminated demo must not leave JupyterLab running on its own.
    signal.signal(signal.SIGTERM, lambda *_: lab.terminate())
    try:
        return lab.wait()
    except KeyboardInterrupt:
        lab.terminate()
        return lab.wait()
    finally:
        sb.stop()


def build_parser() -> argparse.ArgumentParser:
    """The ``envnb`` argument parser."""
    parser = argparse.ArgumentParser(prog="envnb", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sandbox = sub.add_parser("sandbox", help="serve the local PostHog API emulator")
    _sandbox_args(sandbox)
    sandbox.set_defaults(func=cmd_sandbox)
    demo = sub.add_parser("demo", help="sandbox + JupyterLab on notebooks/")
    _sandbox_args(demo)
    demo.set_defaults(port=0, func=cmd_demo)
    demo.add_argument("--notebooks", default="notebooks", help="notebook directory")
    demo.add_argument("--lab-port", type=int, default=8888)
    demo.add_argument("--no-browser", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``envnb`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
