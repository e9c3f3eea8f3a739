"""``envnb profile add NAME`` / ``envnb profile list``: keep named connections on this machine.

The key is asked for without echo (getpass) and written to a file only its owner can read
(0600); ``--key-env VAR`` stores the variable's name instead of the key.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from ..errors import ConfigurationError

PROFILE_HELP = """\
Named connections to PostHog projects, in profiles.toml in your config folder
($ENVNB_CONFIG_DIR overrides it). In Python: envnb.connect(profile="prod-eu"),
envnb.Fleet(["prod-us", "prod-eu"]), envnb.profiles().

examples:
  envnb profile add prod-eu --host eu --project 12345      # asks for the key (not echoed)
  envnb profile add prod-us --host us --project 1 --project 2 --key-env POSTHOG_US_KEY
  envnb profile list"""


def add_parser(sub: Any, formatter: type[argparse.HelpFormatter]) -> None:
    """Register ``profile add`` and ``profile list`` under the ``envnb`` parser."""
    profile = sub.add_parser(
        "profile",
        help="add or list named connections",
        description=PROFILE_HELP,
        formatter_class=formatter,
    )
    actions = profile.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add or replace a profile (asks for the key)")
    add.add_argument("name", help="the profile's name, e.g. prod-eu")
    add.add_argument("--host", required=True, help="'us', 'eu' or your instance's URL")
    add.add_argument(
        "--project",
        action="append",
        required=True,
        metavar="ID",
        dest="projects",
        help="a project id (repeat for several)",
    )
    add.add_argument("--region", help="a label for the region column (default: from the host)")
    add.add_argument(
        "--key-env", metavar="VAR", help="read the key from this environment variable instead"
    )
    add.set_defaults(func=cmd_add)
    listing = actions.add_parser("list", help="show the profiles (never their keys)")
    listing.set_defaults(func=cmd_list)


def cmd_add(args: argparse.Namespace) -> int:
    """Write the profile; the key is read with getpass unless ``--key-env`` names a variable."""
    from .profile_file import write_profile

    key = None
    if not args.key_env:
        try:
            key = getpass.getpass(f"Personal API key for {args.name} (input hidden): ").strip()
        except EOFError:  # no terminal and nothing piped in (a script, CI): one line, no trace
            print(file=sys.stderr)  # end the prompt's line
            key = ""
        if not key:
            print(
                "envnb: no key entered; nothing written (in a script, use --key-env VAR)",
                file=sys.stderr,
            )
            return 2
    try:
        path = write_profile(
            args.name,
            args.host,
            args.projects,
            api_key=key,
            api_key_env=args.key_env,
            region=args.region,
        )
    except ConfigurationError as err:
        print(f"envnb: {err}", file=sys.stderr)
        return 2
    print(f"envnb: profile {args.name!r} saved in {path} (mode 600)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Print the profiles table."""
    from .profile_file import profiles

    try:
        frame = profiles()
    except ConfigurationError as err:
        print(f"envnb: {err}", file=sys.stderr)
        return 2
    print(frame.to_string(index=False) if len(frame) else "envnb: no profiles yet")
    return 0
