"""Command line: `envnb sandbox` serves the emulator; `envnb demo` adds JupyterLab."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


class _Help(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples kept as written; a default shown where there is one."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        shown = action.default is not None and action.default is not False
        if shown and action.default != argparse.SUPPRESS and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


DESCRIPTION = """\
envnb: PostHog's batch exports, PostHog AI conversations and customer profile configs in
Jupyter, and a local sandbox that emulates those APIs on 127.0.0.1 (no PostHog account).

commands:
  sandbox   serve the sandbox in the foreground (prints its URL, key and POSTHOG_* lines)
  demo      start a sandbox and JupyterLab on the demo notebooks, pointed at it
  profile   add or list named connections (envnb.connect(profile=...), envnb.Fleet)
  download  land a file export (events, persons, sessions, HogQL) as verified files

Run 'envnb COMMAND --help' for a command's options."""

SANDBOX_HELP = """\
Serve the local PostHog API emulator until Ctrl-C. It prints its URL, a sandbox API key
and the three POSTHOG_* lines to export so that envnb.connect() in a notebook uses it.

examples:
  envnb sandbox                          # on http://127.0.0.1:8010, seeded data
  envnb sandbox --port 0 --db state.db   # any free port; state kept across restarts
  envnb sandbox --faults 'status=503,rate=0.2'   # one request in five answers 503
  envnb sandbox --conversations 100000   # a big project, for list_df() timings"""

DEMO_HELP = """\
Start a sandbox, then JupyterLab on the demo notebooks with POSTHOG_* pointing at the
sandbox, so every notebook's envnb.connect() uses it. Ctrl-C stops both. The notebooks
are in the envnb repository (notebooks/); needs the notebook extra: pip install
'envnb[notebook]' (or 'make demo' in a checkout).

examples:
  envnb demo                             # from a checkout of the repository
  envnb demo --notebooks ~/envnb/notebooks --lab-port 8899 --no-browser"""


def _argtype(check: str) -> Callable[[str], Any]:
    """An argparse type running ``envnb.sandbox.arguments.<check>``: the command line
    refuses what ``Sandbox(...)`` refuses, in one line, with the same words."""

    def parse(text: str) -> Any:
        from envnb.sandbox import arguments  # lazy: the sandbox only for its commands

        try:
            return getattr(arguments, check)(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


_port, _count, _events = _argtype("port"), _argtype("count"), _argtype("events")
_seconds, _intervals = _argtype("seconds"), _argtype("intervals")


def _cannot_listen(args: argparse.Namespace, exc: OSError) -> SystemExit:
    reason = exc.strerror or str(exc)
    return SystemExit(
        f"envnb: cannot listen on {args.host}:{args.port}: {reason}; pick another --port "
        "(0: any free port) or a local --host such as 127.0.0.1"
    )


def _sandbox_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", metavar="ADDR", help="interface to listen on"
    )
    parser.add_argument(
        "--port", type=_port, default=8010, metavar="PORT", help="port (0: any free port)"
    )
    parser.add_argument(
        "--db",
        default=None,
        metavar="FILE",
        help="SQLite file that keeps the state across restarts",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of the generated data"
    )
    parser.add_argument(
        "--faults",
        default=None,
        metavar="SPEC",
        help="fault injection spec, e.g. 'status=503,rate=0.1'",
    )
    parser.add_argument(
        "--canary", action="store_true", help="seed XSS canary strings into names and chats"
    )
    parser.add_argument(
        "--batch-exports",
        type=_count,
        default=12,
        metavar="N",
        help="number of seeded batch exports",
    )
    parser.add_argument(
        "--conversations",
        type=_count,
        default=600,
        metavar="N",
        help="number of seeded conversations (over 90 days)",
    )
    parser.add_argument(
        "--profile-configs",
        type=_count,
        default=8,
        metavar="N",
        help="number of seeded profile configs",
    )
    parser.add_argument(
        "--projects",
        type=_count,
        default=1,
        metavar="N",
        help="projects in the organisation (2..N drift from project 1)",
    )
    parser.add_argument(
        "--stream-delay",
        type=_seconds,
        default=0.02,
        metavar="S",
        help="seconds between streamed chat frames",
    )
    parser.add_argument(
        "--backfill-pace",
        type=_seconds,
        default=1.0,
        metavar="S",
        help="seconds between two backfill runs",
    )
    parser.add_argument(
        "--events",
        type=_events,
        default=75_000,
        metavar="N",
        help="about how many events the query API's population has (or 'tiny')",
    )
    parser.add_argument(
        "--intervals",
        type=_intervals,
        default="hour,day,week,hour,day",
        metavar="LIST",
        help="comma list of the intervals the seeded batch exports cycle through",
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
            projects=args.projects,
            stream_delay=args.stream_delay,
            canary=args.canary,
            backfill_pace=args.backfill_pace,
            export_intervals=args.intervals,
            events=args.events,
        )
    except FaultSpecError as exc:
        raise SystemExit(f"envnb: bad --faults: {exc}") from None
    except SandboxDatabaseError as exc:
        raise SystemExit(f"envnb: bad --db: {exc}") from None
    except ValueError as exc:  # e.g. --projects 0
        raise SystemExit(f"envnb: {exc}") from None


def _announce(sb: Any) -> None:
    print(f"envnb sandbox serving at {sb.url}", flush=True)
    if sb.listens_everywhere:  # 0.0.0.0 is where it listens, not an address to open
        print(
            f"  listening on all interfaces (--host {sb.host or '0.0.0.0'}); from another "
            f"machine use http://{socket.gethostname()}:{sb.port} or this machine's IP address"
        )
    print(f"  project id: {sb.project_id}")
    print(f"  api key:    {sb.api_key}   (a local sandbox key, not a PostHog secret)")
    print(
        f"  try: curl -H 'Authorization: Bearer {sb.api_key}' "
        f"{sb.url}/api/projects/{sb.project_id}/conversations/"
    )
    for name, value in sb.env().items():
        print(f"  export {name}={value}")
    print("  Ctrl-C to stop", flush=True)


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Serve the sandbox in the foreground."""
    sb = _make(args, args.port)
    with contextlib.suppress(KeyboardInterrupt):
        try:
            sb.serve_forever(announce=_announce)
        except OSError as exc:  # the bind: port taken, address not on this machine
            raise _cannot_listen(args, exc) from None
    return 0


def demo_problem(notebooks: Path) -> str | None:
    """Why ``envnb demo`` cannot start on ``notebooks`` (in words, with what to do), or None."""
    import importlib.util

    if not notebooks.is_dir() or not any(notebooks.glob("*.ipynb")):
        return (
            f"envnb demo: no notebooks in {notebooks}. The demo notebooks are in the envnb "
            "repository's notebooks/ folder: run 'envnb demo' from a checkout of it (or "
            "'make demo' there), or pass --notebooks DIR with a folder of notebooks."
        )
    if importlib.util.find_spec("jupyterlab") is None:
        return (
            "envnb demo: JupyterLab is not installed in this environment. Install the "
            "notebook extra: pip install 'envnb[notebook]' (or run 'make demo' in a checkout)."
        )
    return None


def cmd_demo(args: argparse.Namespace) -> int:
    """Start a sandbox in-process, then JupyterLab on notebooks/ pointed at it."""
    notebooks = Path(args.notebooks).expanduser().resolve()
    problem = demo_problem(notebooks)  # before starting anything
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    try:
        sb = _make(args, args.port).start()
    except OSError as exc:
        raise _cannot_listen(args, exc) from None
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
    from ._version import __version__

    parser = argparse.ArgumentParser(prog="envnb", description=DESCRIPTION, formatter_class=_Help)
    parser.add_argument("--version", action="version", version=f"envnb {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sandbox = sub.add_parser(
        "sandbox",
        help="serve the local PostHog API emulator",
        description=SANDBOX_HELP,
        formatter_class=_Help,
    )
    _sandbox_args(sandbox)
    sandbox.set_defaults(func=cmd_sandbox)
    demo = sub.add_parser(
        "demo",
        help="sandbox + JupyterLab on the demo notebooks",
        description=DEMO_HELP,
        formatter_class=_Help,
    )
    _sandbox_args(demo)
    demo.set_defaults(port=0, func=cmd_demo)
    demo.add_argument(
        "--notebooks", default="notebooks", metavar="DIR", help="folder of notebooks to open"
    )
    demo.add_argument(
        "--lab-port", type=int, default=8888, metavar="PORT", help="JupyterLab's port"
    )
    demo.add_argument(
        "--no-browser", action="store_true", help="do not open a browser (print the URL)"
    )
    from .projects.cli import add_parser as add_profile_parser

    add_profile_parser(sub, _Help)
    from .file_exports.cli import add_parser as add_download_parser

    add_download_parser(sub, _Help)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``envnb`` console script."""
    from .file_exports.cli import glue_relative_times

    argv = glue_relative_times(sys.argv[1:] if argv is None else list(argv))
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
