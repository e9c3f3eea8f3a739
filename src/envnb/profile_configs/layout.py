"""Customer profile layouts as PostHog's UI writes and renders them (contract §9).

A profile config's ``content`` is a list of panels ``{type, title, index}`` and its
``sidebar`` a list of ``{type, attrs: {title, type?}}``
[src: PH:products/customer_analytics/frontend/customerProfileLogic.ts]. Rules:

1. Panels are shown in ``index`` order; a panel without an index sorts as 999, after the
   others, keeping its place among them.
2. A title may sit at the top level (``title``, what the UI writes now) or under
   ``attrs.title`` (older defaults); the renderer reads both, and so does ``ProfilePanel``.
   A rename writes both places that exist, so every reader sees the new title.
3. Unknown panel types and unknown fields are kept as they are (PostHog adds panels); the
   editor flags them, never drops them.
4. Fields the renderer injects (``RENDER_FIELDS``, and a ``ph-query`` panel's ``query``) are
   never stored: ``to_content()``/``to_sidebar()`` strip them, top level and ``attrs``.
5. Saving renumbers ``index`` 0..n-1 in the order shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

PERSON = "person"
GROUP_SCOPES = ("group_0", "group_1", "group_2", "group_3", "group_4")
MISSING_INDEX = 999
RENDER_FIELDS = (
    "nodeId",
    "personId",
    "distinctIds",
    "groupKey",
    "groupTypeIndex",
    "children",
    "id",
    "height",
    "__init",
)


class PanelSpec(NamedTuple):
    """A panel type PostHog knows for a scope: its default title, and when it shows."""

    type: str
    title: str
    only_when: str | None = None  # why PostHog may hide it; None = always shown


_JOURNEY = "only when the customer-journeys feature flag is on for the project"
_ZENDESK = "only when the project has a Zendesk data source"
_SUPPORT = "only when PostHog support conversations are enabled"

# Default order is the catalog order [src: customerProfileLogic.ts default content].
PERSON_PANELS = (
    PanelSpec("ph-usage-metrics", "Usage metrics"),
    PanelSpec("ph-customer-journey", "Customer journey", _JOURNEY),
    PanelSpec("ph-person-feed", "Session feed"),
    PanelSpec("ph-llm-trace", "LLM traces"),
    PanelSpec("ph-support-tickets", "Support tickets", _SUPPORT),
    PanelSpec("ph-zendesk-tickets", "Zendesk tickets", _ZENDESK),
    PanelSpec("ph-issues", "Issues"),
)
GROUP_PANELS = (
    PanelSpec("ph-usage-metrics", "Usage metrics"),
    PanelSpec("ph-customer-journey", "Customer journey", _JOURNEY),
    PanelSpec("ph-query", "Events"),
    PanelSpec("ph-llm-trace", "LLM traces"),
    PanelSpec("ph-zendesk-tickets", "Zendesk tickets", _ZENDESK),
    PanelSpec("ph-issues", "Issues"),
)
PERSON_SIDEBAR: tuple[dict[str, Any], ...] = (
    {"type": "ph-person", "attrs": {"title": "Info"}},
    {"type": "ph-related-groups", "attrs": {"title": "Related groups"}},
    {"type": "ph-person-properties", "attrs": {"title": "Properties"}},
)
GROUP_SIDEBAR: tuple[dict[str, Any], ...] = (
    {"type": "ph-group", "attrs": {"title": "Info"}},
    {"type": "ph-related-groups", "attrs": {"title": "Related people", "type": "person"}},
    {"type": "ph-group-properties", "attrs": {"title": "Properties"}},
)


def catalog(scope: str) -> tuple[PanelSpec, ...]:
    """The panel types PostHog renders for ``scope``, in default order (empty if unknown)."""
    if scope == PERSON:
        return PERSON_PANELS
    return GROUP_PANELS if scope in GROUP_SCOPES else ()


def spec_for(scope: str, panel_type: str) -> PanelSpec | None:
    """The catalog entry of ``panel_type`` for ``scope``, or None (an unknown type)."""
    return next((s for s in catalog(scope) if s.type == panel_type), None)


def default_content(scope: str) -> list[dict[str, Any]]:
    """The panels PostHog shows for ``scope`` by default, as stored (``{type,title,index}``)."""
    return [{"type": s.type, "title": s.title, "index": i} for i, s in enumerate(catalog(scope))]


def default_sidebar(scope: str) -> list[dict[str, Any]]:
    """The default sidebar of ``scope``, as stored (``{type, attrs}``)."""
    items = PERSON_SIDEBAR if scope == PERSON else GROUP_SIDEBAR if scope in GROUP_SCOPES else ()
    return [{"type": i["type"], "attrs": dict(i["attrs"])} for i in items]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _attrs(raw: dict[str, Any]) -> dict[str, Any]:
    attrs = raw.get("attrs")
    return attrs if isinstance(attrs, dict) else {}


def _strip(data: dict[str, Any], *, drop_query: bool) -> dict[str, Any]:
    """``data`` without render-time fields (rule 4), at the top level and in ``attrs``."""
    drop = set(RENDER_FIELDS) | ({"query"} if drop_query else set())
    out = {k: v for k, v in data.items() if k not in drop}
    if isinstance(out.get("attrs"), dict):
        out["attrs"] = {k: v for k, v in out["attrs"].items() if k not in drop}
    return out


@dataclass
class ProfilePanel:
    """One panel of a profile page; ``raw`` keeps every field it came with (rule 3)."""

    raw: dict[str, Any]

    @classmethod
    def new(cls, panel_type: str, title: str) -> ProfilePanel:
        """A panel as PostHog's UI writes it (index is set on save)."""
        return cls({"type": panel_type, "title": title})

    @property
    def type(self) -> str:
        """The panel type (``""`` when the stored panel has none)."""
        return _text(self.raw.get("type")) or ""

    @property
    def title(self) -> str | None:
        """The title, read from ``title`` or else ``attrs.title`` (rule 2)."""
        return _text(self.raw.get("title")) or _text(_attrs(self.raw).get("title"))

    @property
    def index(self) -> int | None:
        """The stored index, or None when missing or not an integer."""
        value = self.raw.get("index")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def renamed(self, title: str) -> ProfilePanel:
        """A copy with ``title`` written everywhere a title is stored (rule 2)."""
        raw = dict(self.raw)
        attrs = raw.get("attrs")
        if isinstance(attrs, dict) and "title" in attrs:
            raw["attrs"] = {**attrs, "title": title}
        if "title" in raw or not (isinstance(attrs, dict) and "title" in attrs):
            raw["title"] = title
        return ProfilePanel(raw)

    def stored(self, index: int) -> dict[str, Any]:
        """The panel as saved: render-time fields stripped, ``index`` set (rules 4, 5)."""
        out = _strip(self.raw, drop_query=self.type == "ph-query")
        out["index"] = index
        return out


@dataclass
class SidebarItem:
    """One sidebar section ``{type, attrs: {title, type?}}``; unknown fields kept."""

    raw: dict[str, Any]

    @property
    def type(self) -> str:
        """The section type (``""`` when missing)."""
        return _text(self.raw.get("type")) or ""

    @property
    def title(self) -> str | None:
        """``attrs.title`` (or a top-level ``title``), None if neither is a string."""
        return _text(_attrs(self.raw).get("title")) or _text(self.raw.get("title"))

    def stored(self) -> dict[str, Any]:
        """The section as saved (render-time fields stripped)."""
        return _strip(self.raw, drop_query=False)


def strip_render_fields(content: Any, *, sidebar: bool = False) -> Any:
    """``content`` (or a ``sidebar``) with render-time fields removed from each dict item.

    Order and ``index`` are left alone; anything that is not a list is returned as is.
    """
    if not isinstance(content, list):
        return content
    return [
        _strip(i, drop_query=not sidebar and i.get("type") == "ph-query")
        if isinstance(i, dict)
        else i
        for i in content
    ]


def _sorted_panels(items: Iterable[Any]) -> list[ProfilePanel]:
    panels = [ProfilePanel(dict(i)) for i in items if isinstance(i, dict)]
    # sorted() is stable: panels with equal (or missing) index keep their stored order.
    return sorted(panels, key=lambda p: MISSING_INDEX if p.index is None else p.index)


@dataclass
class ProfileLayout:
    """The layout a config describes: scope, panels in display order, sidebar.

    ``content_shape_ok`` is False when ``content`` is neither a list nor empty: PostHog
    stores such content but shows none of it; ``foreign`` then holds it, untouched, and
    ``to_content()`` returns it as it was unless the panels were replaced (``reset``).
    Non-dict items of a content list are kept in ``foreign_items`` and saved after the
    panels.
    """

    scope: str
    panels: list[ProfilePanel] = field(default_factory=list)
    sidebar: list[SidebarItem] = field(default_factory=list)
    foreign: Any = None
    foreign_items: list[Any] = field(default_factory=list)
    sidebar_foreign: Any = None

    @classmethod
    def from_config(cls, scope: str, content: Any, sidebar: Any) -> ProfileLayout:
        """Read a stored config's ``content`` and ``sidebar`` (rules 1-3)."""
        layout = cls(scope=scope)
        if isinstance(content, list):
            layout.panels = _sorted_panels(content)
            layout.foreign_items = [i for i in content if not isinstance(i, dict)]
        elif content not in (None, {}):
            layout.foreign = content
        if isinstance(sidebar, list):
            layout.sidebar = [SidebarItem(dict(i)) for i in sidebar if isinstance(i, dict)]
        elif sidebar not in (None, {}):
            layout.sidebar_foreign = sidebar
        return layout

    @classmethod
    def defaults(cls, scope: str) -> ProfileLayout:
        """PostHog's default layout of ``scope``."""
        return cls.from_config(scope, default_content(scope), default_sidebar(scope))

    @property
    def content_shape_ok(self) -> bool:
        """True when ``content`` is a list of panels PostHog renders (or empty)."""
        return self.foreign is None

    def unknown(self) -> list[ProfilePanel]:
        """Panels whose type this scope's catalog does not have (kept, flagged)."""
        return [p for p in self.panels if spec_for(self.scope, p.type) is None]

    def addable(self) -> list[PanelSpec]:
        """Catalog panels of the scope not yet on the page."""
        present = {p.type for p in self.panels}
        return [s for s in catalog(self.scope) if s.type not in present]

    def add(self, panel_type: str, title: str | None = None) -> None:
        """Append a panel from the catalog (its default title unless ``title`` is given)."""
        spec = spec_for(self.scope, panel_type)
        if spec is None:
            known = ", ".join(s.type for s in catalog(self.scope))
            raise ValueError(f"{panel_type!r} is not a {self.scope} panel; known: {known}")
        self.panels.append(ProfilePanel.new(panel_type, title or spec.title))

    def remove(self, position: int) -> None:
        """Remove the panel shown at ``position``."""
        del self.panels[position]

    def move(self, position: int, delta: int) -> int:
        """Move a panel up (-1) or down (+1); returns its new position (clamped)."""
        target = max(0, min(len(self.panels) - 1, position + delta))
        panel = self.panels.pop(position)
        self.panels.insert(target, panel)
        return target

    def rename(self, position: int, title: str) -> None:
        """Set the title of the panel at ``position`` (rule 2)."""
        self.panels[position] = self.panels[position].renamed(title)

    def reset(self) -> None:
        """Replace panels and sidebar with PostHog's defaults for the scope."""
        fresh = ProfileLayout.defaults(self.scope)
        self.panels, self.sidebar = fresh.panels, fresh.sidebar
        self.foreign = self.sidebar_foreign = None
        self.foreign_items = []

    def to_content(self) -> Any:
        """``content`` as PostHog stores it (rules 4, 5)."""
        if self.foreign is not None:
            return self.foreign
        return [p.stored(i) for i, p in enumerate(self.panels)] + list(self.foreign_items)

    def to_sidebar(self) -> Any:
        """``sidebar`` as PostHog stores it."""
        if self.sidebar_foreign is not None:
            return self.sidebar_foreign
        return [s.stored() for s in self.sidebar]
