"""Render again only the pages whose inputs changed: what `handbook serve` does on every edit.

Rendering every page of a 1,000-team plan takes seconds, and an edit to one
goal changes a handful of pages. Each page is rendered against a view of the
plan that notes what the page read (a team, an objective, the goals that
serve an objective, the list of teams...). On the next plan a page is
rendered again when anything it read, or its own data, is different. A page
that reads something this view does not know how to compare is rendered
every time, so a page is never stale: at worst it is rendered for nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sales_handbook.plan import lineage
from sales_handbook.rules import health
from sales_handbook.site import pages
from sales_handbook.model.changes import Comparisons
from sales_handbook.plan.plan import Plan

_FIELDS = frozenset({"organization", "objectives", "teams", "benefits", "reviews", "retired"})
"""Plan attributes a page may read; compared whole on the next plan."""

_LOOKUPS = frozenset({"ids", "objective", "team", "goals", "goal", "people", "person", "individual_goals",
                      "individual_goal", "goals_serving", "goals_supported_by", "goals_naming", "goals_owned_by"})
"""Plan methods a page may call; compared by their result for the same arguments on the next plan."""

_MEMO = "derived"
"""Plan.derived: a memo of the real plan, passed through unnoted. Its users read what its values depend on
through the plan as well (status reads the period and as-of day before it looks an assessment up)."""

_ANYTHING: tuple[str] = ("*",)
"""What a page read when it used any other part of the plan: it is rendered every time."""

_MISSING = object()


class _RecordingPlan:
    """A plan as templates see it, noting each field read and each lookup made."""

    __slots__ = ("_plan", "_reads")

    def __init__(self, plan: Plan, reads: set[tuple[Hashable, ...]]) -> None:
        self._plan = plan
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._plan, name)
        if name in _FIELDS:
            self._reads.add((name,))
            return value
        if name in _LOOKUPS:
            def lookup(*args: Hashable) -> Any:
                self._reads.add((name, *args))
                return value(*args)
            return lookup
        if name == _MEMO:
            return value
        self._reads.add(_ANYTHING)
        return value


class _RecordingLineage:
    """The lineage of ids as templates see it (`lineage.resolve(...)`), noting each lookup."""

    __slots__ = ("_lineage", "_reads")

    def __init__(self, known: lineage.Lineage, reads: set[tuple[Hashable, ...]]) -> None:
        self._lineage = known
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._lineage, name)
        if name in _LINEAGE_LOOKUPS:
            def lookup(*args: Hashable) -> Any:
                self._reads.add((_LINEAGE, name, *args))
                return value(*args)
            return lookup
        self._reads.add(_ANYTHING)
        return value


_LINEAGE = "lineage"
_LINEAGE_LOOKUPS = frozenset({"resolve", "published_ids"})


@dataclass(frozen=True)
class _Rendered:
    page: pages.Page
    reads: frozenset[tuple[Hashable, ...]]
    text: str


def _value(plan: Plan, known: lineage.Lineage, read: tuple[Hashable, ...]) -> Any:
    """What `read` gives on `plan` and its lineage (`_MISSING` when a lookup finds nothing)."""
    if read[0] == _LINEAGE:
        _, name, *args = read
        return getattr(known, cast(str, name))(*args)
    name, *args = read
    try:
        value = getattr(plan, cast(str, name))
        return value(*args) if name in _LOOKUPS else value
    except KeyError:
        return _MISSING


def _same(old: Any, new: Any) -> bool:
    return old is new or old == new


class Renderer:
    """Renders a plan's pages, keeping each one whose inputs are unchanged since the previous plan."""

    def __init__(self) -> None:
        self._plan: Plan | None = None
        self._known: lineage.Lineage | None = None
        self._comparisons: Comparisons | None = None
        self._rendered: dict[str, _Rendered] = {}
        self.rendered_last = 0
        """How many pages the last `render` call rendered (the others were kept)."""

    def render(self, plan: Plan, findings: Sequence[health.Finding] | None = None,
               comparisons: Comparisons = Comparisons(), on_page: Callable[[], None] | None = None) -> dict[str, str]:
        """Every page of the handbook as Markdown, the same as `pages.render(plan, findings, comparisons)`.

        The comparisons with published versions are compared whole: if they
        changed, every page is rendered again.
        """
        known = lineage.of(plan)
        previous, previous_known, self._plan, self._known = self._plan, self._known, plan, known
        if self._comparisons is None or not _same(self._comparisons, comparisons):
            previous, self._rendered = None, {}
        self._comparisons = comparisons
        unchanged: dict[tuple[Hashable, ...], bool] = {}

        def still_same(read: tuple[Hashable, ...]) -> bool:
            if read not in unchanged:
                unchanged[read] = (read != _ANYTHING and previous is not None and previous_known is not None
                                   and _same(_value(previous, previous_known, read), _value(plan, known, read)))
            return unchanged[read]

        result: dict[str, _Rendered] = {}
        self.rendered_last = 0
        for page in pages.plan_pages(plan, findings):
            if page.path in result:
                raise ValueError(f"two pages would be written to {page.path}")
            before = self._rendered.get(page.path)
            if (before is None or before.page.template != page.template
                    or not _same(before.page.context, page.context) or not all(map(still_same, before.reads))):
                reads: set[tuple[Hashable, ...]] = set()
                text = pages.render_page(cast(Plan, _RecordingPlan(plan, reads)), page, comparisons,
                                         cast(lineage.Lineage, _RecordingLineage(known, reads)))
                before = _Rendered(page, frozenset(reads), text)
                self.rendered_last += 1
            result[page.path] = before
            if on_page is not None:
                on_page()
        self._rendered = result
        return {path: rendered.text for path, rendered in result.items()}
