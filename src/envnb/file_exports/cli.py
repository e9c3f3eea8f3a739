"""``envnb download MODEL --start … --end … DIR``: land a file export from the command line."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from ..errors import EnvnbError
from .facts import COMPRESSIONS, FORMATS, MODELS

DOWNLOAD_HELP = """\
Land PostHog data as verified files in DIR (PostHog's file-download exports: runs of at
most seven days, Parquet or JSON Lines, each file hashed and counted, a manifest.json). Run
it again on the same DIR to resume an interrupted download. Connects with --profile, else
POSTHOG_HOST / POSTHOG_PERSONAL_API_KEY / POSTHOG_PROJECT_ID.

examples:
  envnb download events --start -30d DIR
  envnb download persons --start 2026-11-01 --end 2026-11-08 --format JSONLines DIR
  envnb download hogql --start -7d --hogql "SELECT event, timestamp FROM events WHERE \\
      timestamp >= {data_interval_start} AND timestamp < {data_interval_end}" DIR"""


# argparse reads "-30d" after "--start" as an unknown option ("expected one argument"), so the
# help's own example failed; a relative time glued on as "--start=-30d" is read as a value.
_TIME_OPTIONS = ("--start", "--end")
_RELATIVE = re.compile(r"-\d")


def glue_relative_times(argv: list[str]) -> list[str]:
    """``[..., "--start", "-30d", ...]`` as ``[..., "--start=-30d", ...]``."""
    out: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--":
            out.append(arg)
            out.extend(args)
            break
        if arg in _TIME_OPTIONS:
            value = next(args, None)
            if value is not None and _RELATIVE.match(value):
                out.append(f"{arg}={value}")
                continue
            out.append(arg)
            if value is not None:
                out.append(value)
            continue
        out.append(arg)
    return out


def add_parser(sub: Any, formatter: type[argparse.HelpFormatter]) -> None:
    """Register ``download`` under the ``envnb`` parser."""
    parser = sub.add_parser(
        "download",
        help="land a file export (events, persons, sessions, HogQL) in a folder",
        description=DOWNLOAD_HELP,
        formatter_class=formatter,
    )
    parser.add_argument("model", choices=MODELS, help="what to export")
    parser.add_argument("folder", metavar="DIR", help="where the files and manifest go")
    parser.add_argument("--start", default="-30d", help="ISO time or relative (-7d, -24h)")
    parser.add_argument("--end", default=None, help="ISO time or relative (default: now)")
    parser.add_argument("--hogql", default=None, help="the query (model hogql)")
    parser.add_argument("--format", default="Parquet", choices=FORMATS)
    parser.add_argument("--compression", default=None, choices=COMPRESSIONS)
    parser.add_argument("--profile", default=None, help="a named profile (envnb profile list)")
    parser.set_defaults(func=cmd_download)


def cmd_download(args: argparse.Namespace) -> int:
    """Download, verify, print a one-line summary; 2 on a usage or connection problem."""
    from .._client import Client, connect

    try:
        client = connect(profile=args.profile, quiet=True) if args.profile else Client()
        with client:
            dl = client.file_exports.download(
                args.model,
                args.start,
                args.end,
                hogql=args.hogql,
                folder=args.folder,
                format=args.format,
                compression=args.compression,
                progress=sys.stderr.isatty(),
            )
            dl.verify()
    except EnvnbError as err:
        print(f"envnb: {err}", file=sys.stderr)
        return 2
    print(f"envnb: {dl.records} records in {len(dl.files)} files in {dl.folder} (verified)")
    return 0
