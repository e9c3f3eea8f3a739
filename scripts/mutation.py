"""Mutation check: apply each realistic mutation in tests/mutations.toml to a temporary copy
of src/ and run only the tests that cover it; a mutation is *caught* when those tests fail.

Usage: ``python scripts/mutation.py [--only ID ...] [--baseline] [--timeout S]``
(``make mutation`` runs them all). Never edits src/ in place: each mutation runs against a
fresh copy in a temporary directory put first on PYTHONPATH (the subprocess checks that the
copy, not the editable install, is the one imported).

Each entry's ``original`` must occur exactly once in the file on the current tree: a snippet
that no longer matches is an error (exit 2), so the list cannot silently rot. An entry with
``unseen`` set records why no test can see that mutation; it is still run and reported.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "tests" / "mutations.toml"
FIELDS = ("id", "file", "original", "replacement", "tests", "why")


def load(path: Path) -> list[dict[str, object]]:
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["mutation"]
    seen: set[str] = set()
    problems = []
    for entry in entries:
        missing = [f for f in FIELDS if f not in entry]
        if missing:
            problems.append(f"{entry.get('id', '?')}: missing {missing}")
            continue
        if entry["id"] in seen:
            problems.append(f"{entry['id']}: duplicate id")
        seen.add(entry["id"])
        source = (ROOT / entry["file"]).read_text(encoding="utf-8")
        count = source.count(entry["original"])
        if count != 1:
            problems.append(f"{entry['id']}: original occurs {count} times in {entry['file']}")
        if entry["original"] == entry["replacement"]:
            problems.append(f"{entry['id']}: replacement equals original")
        try:  # a mutant that does not parse would be "caught" by any test: refuse it
            ast.parse(source.replace(entry["original"], entry["replacement"], 1))
        except SyntaxError as err:
            problems.append(f"{entry['id']}: the mutated file does not parse ({err})")
    if problems:
        print("mutation list does not match the tree:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(2)
    return entries


def run_tests(src: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    """'caught' (tests failed), 'missed' (tests passed) or 'timeout' (counted as caught)."""
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    check = subprocess.run(
        [sys.executable, "-c", "import envnb; print(envnb.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if not check.stdout.strip().startswith(str(src)):
        sys.exit(f"the copy is not the envnb imported: {check.stdout!r} {check.stderr!r}")
    command = [sys.executable, "-m", "pytest", *tests, "-x", "-q", "-p", "no:randomly"]
    command += ["-p", "no:cacheprovider", "-m", "not browser"]
    began = time.monotonic()
    try:
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - began
    return ("missed" if done.returncode == 0 else "caught"), time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="ids to run (default: all)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per mutation")
    parser.add_argument(
        "--baseline", action="store_true", help="first check each test selection passes unmutated"
    )
    parser.add_argument("--list", type=Path, default=LIST)
    args = parser.parse_args()
    entries = load(args.list)
    if args.only:
        entries = [e for e in entries if e["id"] in set(args.only)]
    results: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="envnb-mutation-") as tmp:
        src = Path(tmp) / "src"
        if args.baseline:
            shutil.copytree(ROOT / "src", src)
            for tests in sorted({tuple(e["tests"]) for e in entries}):  # type: ignore[arg-type]
                outcome, _ = run_tests(src, list(tests), args.timeout)
                if outcome != "missed":
                    sys.exit(f"baseline: {' '.join(tests)} fail without a mutation ({outcome})")
            shutil.rmtree(src)
        for entry in entries:
            shutil.copytree(ROOT / "src", src)
            target = Path(tmp) / str(entry["file"])
            text = target.read_text(encoding="utf-8")
            target.write_text(
                text.replace(str(entry["original"]), str(entry["replacement"]), 1),
                encoding="utf-8",
            )
            outcome, seconds = run_tests(src, list(entry["tests"]), args.timeout)  # type: ignore[call-overload]
            shutil.rmtree(src)
            note = f"  (unseen: {entry['unseen']})" if entry.get("unseen") else ""
            print(f"{outcome:8} {seconds:6.1f}s  {entry['id']}{note}", flush=True)
            results.append((str(entry["id"]), outcome))
    missed = [i for i, o in results if o == "missed"]
    caught = len(results) - len(missed)
    share = 100 * caught / len(results) if results else 0.0
    print(f"\n{caught}/{len(results)} caught ({share:.1f}%), {len(missed)} missed")
    for mutation_id in missed:
        print(f"  missed: {mutation_id}")


if __name__ == "__main__":
    main()
