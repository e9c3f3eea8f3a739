"""The arguments of file-download exports, checked, and the plan of a download (pure).

Rule 1. Everything a caller can get wrong — an unknown model, format or compression, a range
        that ends in the future or starts after it ends, HogQL without the placeholders a
        split download needs — raises RequestValidationError naming the argument before
        anything is sent.
Rule 2. A range longer than PostHog's seven days is split, not refused: consecutive runs of
        at most seven days from ``start``, the last one shorter.
Rule 3. A relative bound (``"-7d"``, a ``timedelta``, ``"now"``, or ``end=None``) counts from the
        start of the current hour, not from this second: a download covers whole hours that
        have ended (as PostHog's batch exports do), and the same call a few minutes later plans
        the same runs. Absolute bounds are used as given. (Across an hour boundary a repeated
        relative download into the same folder resumes through the window its manifest
        recorded: ``manifest.Manifest.windows``.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from .._core.arguments import check_allowed
from ..batch_exports.ops_arguments import _RELATIVE, instant_of
from ..errors import RequestValidationError
from .facts import (
    COMPRESSIONS,
    DEFAULT_MAX_SIZE_MB,
    EXTENSIONS,
    FORMATS,
    JSON_SUFFIXES,
    MAX_RUN,
    MODELS,
    PLACEHOLDERS,
)

NOW = "now"  # an end (or start) meaning "now": the current hour under Rule 3


@dataclass(frozen=True)
class Span:
    """One run's interval, [start, end)."""

    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """The span in file names and the manifest: ``20261101T000000Z-20261108T000000Z``."""
        return f"{_compact(self.start)}-{_compact(self.end)}"


def _compact(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class FileOptions:
    """PostHog's ``file`` object."""

    format: str = "Parquet"
    compression: str | None = None
    max_size_mb: int | None = DEFAULT_MAX_SIZE_MB

    def body(self) -> dict[str, Any]:
        """As sent."""
        out: dict[str, Any] = {"format": self.format, "max_size_mb": self.max_size_mb}
        if self.compression is not None:
            out["compression"] = self.compression
        return out

    def suffix(self) -> str:
        """The file name's end: ``.parquet``, ``.jsonl``, ``.jsonl.gz``..."""
        if self.format == "JSONLines" and self.compression is not None:
            return EXTENSIONS[self.format] + JSON_SUFFIXES[self.compression]
        return EXTENSIONS[self.format]


def file_options(format: Any, compression: Any, max_size_mb: Any) -> FileOptions:
    """The ``file`` object, checked (Rule 1)."""
    check_allowed("format", format, FORMATS)
    if compression is not None:
        check_allowed("compression", compression, COMPRESSIONS)
    if max_size_mb is not None and (
        isinstance(max_size_mb, bool) or not isinstance(max_size_mb, int) or max_size_mb < 0
    ):
        raise RequestValidationError(
            f"max_size_mb: must be a whole number of MiB ≥ 0 (0 or None: one file), "
            f"got {max_size_mb!r}",
            attr="max_size_mb",
        )
    return FileOptions(format, compression, max_size_mb)


def check_model(model: Any, hogql: Any) -> None:
    """The model, and HogQL only with (and always with) model 'hogql'."""
    check_allowed("model", model, MODELS)
    if model == "hogql" and not (isinstance(hogql, str) and hogql.strip()):
        raise RequestValidationError(
            "hogql: model 'hogql' needs hogql=, a SELECT query", attr="hogql"
        )
    if model != "hogql" and hogql is not None:
        raise RequestValidationError(
            f"model: hogql= is only used with model='hogql' (got model={model!r})", attr="model"
        )


def placeholders(hogql: str) -> list[str]:
    """The interval placeholders a query references."""
    return [name for name in PLACEHOLDERS if "{" + name + "}" in hogql]


def is_relative(value: Any) -> bool:
    """True for a bound that moves with the clock: ``"-7d"``, ``"now"``, a ``timedelta``."""
    if isinstance(value, timedelta):
        return True
    return isinstance(value, str) and (value.strip() == NOW or bool(_RELATIVE.match(value.strip())))


def hour_of(now: datetime) -> datetime:
    """Rule 3: the instant relative bounds count from (the start of the current hour)."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _instant(name: str, value: Any, anchor: datetime) -> datetime:
    if isinstance(value, str) and value.strip() == NOW:
        return anchor
    return instant_of(name, value, anchor)


def interval(
    start: Any, end: Any, now: datetime, *, required: bool = True, anchor: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """``start``/``end`` as aware datetimes, not in the future, start ≤ end.

    Relative bounds count back from ``anchor`` (default: ``now``); "in the future" is
    always judged against ``now``.
    """
    base = now if anchor is None else anchor
    begin = _instant("start", start, base) if start is not None else None
    finish = _instant("end", end, base) if end is not None else None
    if required and (begin is None or finish is None):
        missing = "start" if begin is None else "end"
        raise RequestValidationError(f"{missing}: a time is required", attr=missing)
    for name, value in (("start", begin), ("end", finish)):
        if value is not None and value > now:
            raise RequestValidationError(
                f"{name}: {value.isoformat()} is in the future (PostHog exports only what "
                f"has happened; now is {now.isoformat()})",
                attr=name,
            )
    if begin is not None and finish is not None and begin > finish:
        raise RequestValidationError(
            f"start: {begin.isoformat()} is after end {finish.isoformat()}", attr="start"
        )
    return begin, finish


def create_body(
    model: Any,
    start: Any,
    end: Any,
    *,
    hogql: Any,
    options: FileOptions,
    include: list[str] | None,
    exclude: list[str] | None,
    now: datetime,
) -> dict[str, Any]:
    """The body of one run (``create``): at most seven days, as PostHog allows."""
    check_model(model, hogql)
    needs = set(placeholders(hogql)) if isinstance(hogql, str) else set(PLACEHOLDERS)
    begin, finish = interval(start, end, now, required=False)
    for name, value in (("start", begin), ("end", finish)):
        if value is None and f"data_interval_{name}" in needs:
            raise RequestValidationError(
                f"{name}: required, the {'query references' if hogql else 'model needs'} "
                f"{{data_interval_{name}}}",
                attr=name,
            )
    if begin is not None and finish is not None and finish - begin > MAX_RUN:
        raise RequestValidationError(
            "end: one run covers at most seven days (download() splits longer ranges)",
            attr="end",
        )
    body: dict[str, Any] = {"model": model, "file": options.body()}
    if begin is not None:
        body["data_interval_start"] = begin.isoformat()
    if finish is not None:
        body["data_interval_end"] = finish.isoformat()
    if hogql is not None:
        body["hogql_query"] = hogql
    for name, names in event_filters(model, include, exclude).items():
        body[name] = list(names)
    return body


def event_filters(model: Any, include: Any, exclude: Any) -> dict[str, tuple[str, ...]]:
    """``include``/``exclude`` checked: lists of event names, for the events model only. A
    bare string is refused: read as a list it would be its letters, and the run would
    export nothing without a word."""
    found: dict[str, tuple[str, ...]] = {}
    for name, names in (("include", include), ("exclude", exclude)):
        if names is None:
            continue
        if model != "events":
            raise RequestValidationError(
                f"{name}: only the events model filters by event name", attr=name
            )
        if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
            raise RequestValidationError(
                f"{name}: a list of event names, e.g. {name}=['$pageview'], got {names!r}",
                attr=name,
            )
        found[name] = tuple(names)
    return found


@dataclass(frozen=True)
class Plan:
    """A download, decided: what is asked for (the manifest's identity) and its runs."""

    model: str
    hogql: str | None
    options: FileOptions
    include: tuple[str, ...] | None
    exclude: tuple[str, ...] | None
    start: datetime
    end: datetime
    spans: tuple[Span, ...]
    # The bounds as asked when one moves with the clock ("-7d → now"), else None: the key
    # under which the manifest records the window they resolved to (Rule 3).
    relative: str | None = None

    def over(self, start: datetime, end: datetime) -> Plan:
        """The same download over another window (the one a manifest recorded)."""
        return replace(self, start=start, end=end, spans=split(start, end))

    def identity(self) -> dict[str, Any]:
        """What must match for a folder's finished runs to be reused."""
        return {
            "model": self.model,
            "hogql": self.hogql,
            "format": self.options.format,
            "compression": self.options.compression,
            "include": list(self.include) if self.include is not None else None,
            "exclude": list(self.exclude) if self.exclude is not None else None,
        }

    def body(self, span: Span) -> dict[str, Any]:
        """The create body of one run."""
        body: dict[str, Any] = {
            "model": self.model,
            "file": self.options.body(),
            "data_interval_start": span.start.isoformat(),
            "data_interval_end": span.end.isoformat(),
        }
        if self.hogql is not None:
            body["hogql_query"] = self.hogql
        if self.include is not None:
            body["include"] = list(self.include)
        if self.exclude is not None:
            body["exclude"] = list(self.exclude)
        return body

    def columns_query(self) -> str:
        """A HogQL export's query over its first span with no rows: its columns and types."""
        assert self.hogql is not None and self.spans
        query = self.hogql
        for name, moment in zip(
            PLACEHOLDERS, (self.spans[0].start, self.spans[0].end), strict=True
        ):
            text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            query = query.replace("{" + name + "}", f"toDateTime('{text}', 'UTC')")
        return f"SELECT * FROM ({query}) LIMIT 0"

    def file_name(self, span: Span, index: int) -> str:
        """``events_20261101T000000Z-20261108T000000Z_0000.parquet``."""
        return f"{self.model}_{span.key}_{index:04d}{self.options.suffix()}"

    def default_folder(self) -> str:
        """Where a download lands without ``folder=``."""
        return f"posthog-{self.model}_{Span(self.start, self.end).key}"


def split(start: datetime, end: datetime) -> tuple[Span, ...]:
    """Rule 2: consecutive spans of at most seven days covering [start, end)."""
    spans: list[Span] = []
    cursor = start
    while cursor < end:
        stop = min(cursor + MAX_RUN, end)
        spans.append(Span(cursor, stop))
        cursor = stop
    return tuple(spans)


def plan(
    model: Any,
    start: Any,
    end: Any,
    *,
    hogql: Any,
    options: FileOptions,
    include: list[str] | None,
    exclude: list[str] | None,
    now: datetime,
) -> Plan:
    """Check a download's arguments (Rule 1) and split its range (Rules 2 and 3)."""
    check_model(model, hogql)
    if isinstance(hogql, str):
        missing = [name for name in PLACEHOLDERS if name not in placeholders(hogql)]
        if missing:
            raise RequestValidationError(
                "hogql: the query must filter on {data_interval_start} and {data_interval_end} "
                "(e.g. WHERE timestamp >= {data_interval_start} AND timestamp < "
                "{data_interval_end}) so that each run of at most seven days exports its own "
                f"slice; it lacks {', '.join('{' + m + '}' for m in missing)}",
                attr="hogql",
            )
    begin, finish = interval(start, NOW if end is None else end, now, anchor=hour_of(now))
    assert begin is not None and finish is not None
    names = event_filters(model, include, exclude)
    return Plan(
        model=model,
        hogql=hogql,
        options=options,
        include=names.get("include"),
        exclude=names.get("exclude"),
        start=begin,
        end=finish,
        spans=split(begin, finish),
        relative=_as_asked(start, end) if is_relative(start) or is_relative(end or NOW) else None,
    )


def _as_asked(start: Any, end: Any) -> str:
    def text(value: Any) -> str:
        if isinstance(value, timedelta):
            return f"-{value.total_seconds():g}s"
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value).strip()

    return f"{text(start)} → {text(NOW if end is None else end)}"


def poll_delays(first: float = 0.05, factor: float = 1.6, most: float = 5.0) -> Any:
    """Waits between status reads while nothing changes: 50 ms growing to 5 s."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, most)


def now_utc() -> datetime:
    """The client's clock (one place, so tests reason about it)."""
    return datetime.now(UTC)
