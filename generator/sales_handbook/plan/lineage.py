"""What became of every id ever published: still in the plan, renamed, or retired.

URLs come from ids, and ids outlive plans: a goal is renamed, a team is split,
an objective is dropped. The plan records each of these (`formerly:` on the
item that took an old id's place, an entry in `retired.yaml` for an item that
left), so an old link can always be answered. This module reads those records;
pure functions over a `Plan`, used for redirect and retirement pages, for the
check that nothing published disappears, and for comparing two plans.

Goals here are team goals and individual goals alike: they share one id
namespace and get a `/goals/<id>/` address, which leads to the goal's section
on its team's page (team goals) or its person's page (individual goals).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from sales_handbook.plan import urls
from sales_handbook.plan.diagnostics import EXCERPT_LIMIT, Diagnostic
from sales_handbook.plan.plan import OBJECTIVES_FILE, Kind, Located, Plan, team_file
from sales_handbook.plan.schema import Retirement
from sales_handbook.plan.yamlfile import PlainPath

KINDS: tuple[Kind, ...] = ("goal", "team", "objective", "person")


@dataclass(frozen=True)
class Item:
    """A live item as links see it: its kind, id, title and the page (and anchor) that shows it."""

    kind: Kind
    id: str
    title: str
    page: str
    anchor: str | None = None
    team: str | None = None
    """The team it belongs to (goals, people and teams themselves)."""


@dataclass(frozen=True)
class Formerly:
    """The old ids one live item lists under `formerly:`, and where that list is written."""

    item: Item
    ids: tuple[str, ...]
    where: Located


def formerly_records(plan: Plan) -> tuple[Formerly, ...]:
    """Every live item that lists former ids, with the ids and the place they are written."""
    return of(plan).formerly


def _live_items(plan: Plan) -> Iterator[tuple[Item, tuple[str, ...], str, PlainPath]]:
    """Every live item with its former ids (often none), and the file and path where they are written.

    Plain tuples: a 1,000-team plan has 31,000 items, and only a few list former ids.
    """
    for i, objective in enumerate(plan.objectives):
        item = Item("objective", objective.id, objective.title, urls.objective_page(objective.id))
        yield item, objective.formerly, OBJECTIVES_FILE, ("objectives", i, "formerly")
    for team in plan.teams:
        file = team_file(team.id)
        page = urls.team_page(team.id)
        yield Item("team", team.id, team.name, page, team=team.id), team.formerly, file, ("formerly",)
        for i, goal in enumerate(team.goals):
            yield Item("goal", goal.id, goal.title, page, goal.id, team.id), goal.formerly, file, ("goals", i, "formerly")
        for i, person in enumerate(team.people):
            own = urls.person_page(person.id)
            yield (Item("person", person.id, person.name, own, None, team.id), person.formerly, file,
                   ("people", i, "formerly"))
            for j, goal in enumerate(person.goals):
                yield (Item("goal", goal.id, goal.title, own, goal.id, team.id), goal.formerly, file,
                       ("people", i, "goals", j, "formerly"))


@dataclass(frozen=True)
class Lineage:
    """Every id of a plan that a link can name, per kind: live, former (renamed) and retired."""

    items: Mapping[str, Mapping[str, Item]]
    """Kind -> live id -> item."""
    renames: Mapping[str, Mapping[str, str]]
    """Kind -> old id -> the id of the live item that lists it under `formerly:`."""
    retired: Mapping[str, Mapping[str, Retirement]]
    """Kind -> retired id -> its entry in `retired.yaml`."""
    formerly: tuple[Formerly, ...] = ()
    """Every live item that lists former ids, in plan order."""

    def published_ids(self, kind: Kind) -> frozenset[str]:
        """Every id of one kind whose URL a build of this plan answers."""
        return frozenset(self.items[kind]) | frozenset(self.renames[kind]) | frozenset(self.retired[kind])

    def resolve(self, kind: Kind, item_id: str) -> Item | Retirement | None:
        """Where a link to `item_id` leads: the live item (through a rename), its retirement, or nowhere."""
        live = self.items[kind]
        current = self.renames[kind].get(item_id, item_id)
        if current in live:
            return live[current]
        return self.retired[kind].get(item_id)


def of(plan: Plan) -> Lineage:
    """The lineage of a plan's ids (with duplicated ids, already an error, the first one counts).

    Computed once per plan: references, rules, pages, redirects and comparisons all ask for it.
    """
    return plan.derived("lineage", _build)


def _build(plan: Plan) -> Lineage:
    items: dict[str, dict[str, Item]] = {kind: {} for kind in KINDS}
    renames: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
    retired: dict[str, dict[str, Retirement]] = {kind: {} for kind in KINDS}
    records: list[Formerly] = []
    for item, formerly, file, path in _live_items(plan):
        items[item.kind].setdefault(item.id, item)
        if formerly:
            records.append(Formerly(item, formerly, Located(file, path)))
        for old in formerly:
            renames[item.kind].setdefault(old, item.id)
    for entry in plan.retired:
        retired[entry.kind.value].setdefault(entry.id, entry)
    return Lineage(items, renames, retired, tuple(records))


@dataclass(frozen=True)
class Departed:
    """An item of an older plan that a newer one no longer has live: retired there, or gone with no record."""

    item: Item
    """The item as the older plan had it."""
    entry: Retirement | None
    """Its entry in the newer plan's `retired.yaml`; None when it left with no record (its links would break)."""


def departed(old: Plan, now: Lineage) -> list[Departed]:
    """Every item live in `old` (objectives, teams, team and individual goals, people) that `now` no longer has live.

    Renames are followed, so a renamed item has not departed. The one answer to "what left":
    `handbook diff` lists each as retired, and the published-links check refuses each one
    without a record, so the two never disagree.
    """
    found = []
    for kind in KINDS:
        for item_id, item in of(old).items[kind].items():
            resolved = now.resolve(kind, item_id)
            if not isinstance(resolved, Item):
                found.append(Departed(item, resolved))
    return found


@dataclass(frozen=True)
class Vanished:
    """An id a published version answered that the plan no longer accounts for."""

    kind: Kind
    id: str
    version: str
    """The newest published version that answered it."""
    title: str | None
    was: str
    """How that version answered it: 'live', 'formerly:<id>' or 'retired'."""
    entry: Retirement | None = None


def vanished(plan: Plan, published: Sequence[tuple[str, Plan]]) -> list[Vanished]:
    """Ids that published versions (`(label, plan)`, newest first) answered and `plan` no longer does."""
    now = of(plan)
    found: dict[tuple[Kind, str], Vanished] = {}
    for label, old_plan in published:
        old = of(old_plan)
        for gone in departed(old_plan, now):
            if gone.entry is None:
                found.setdefault((gone.item.kind, gone.item.id),
                                 Vanished(gone.item.kind, gone.item.id, label, gone.item.title, "live"))
        for kind in KINDS:
            for item_id in sorted(old.published_ids(kind) - old.items[kind].keys()):
                if (kind, item_id) in found or now.resolve(kind, item_id) is not None:
                    continue
                if item_id in old.renames[kind]:
                    found[kind, item_id] = Vanished(kind, item_id, label, None, f"formerly:{old.renames[kind][item_id]}")
                else:
                    entry = old.retired[kind][item_id]
                    found[kind, item_id] = Vanished(kind, item_id, label, entry.title, "retired", entry)
    return sorted(found.values(), key=lambda v: (KINDS.index(v.kind), v.id))


def check_published(plan: Plan, published: Sequence[tuple[str, Plan]], retired_file: str, *,
                    unfiltered: Plan | None = None) -> list[Diagnostic]:
    """An error for each published id the plan lost, saying how to keep its links alive.

    `retired_file` is how `retired.yaml` of this plan is named in messages: the
    errors point there, since that is where most of them are fixed. `plan` is the
    plan as the site's audience sees it; `unfiltered`, the whole plan, tells an
    item that became internal from one that left.
    """
    now = of(plan)
    whole = of(unfiltered) if unfiltered is not None else now
    problems = []
    for gone in vanished(plan, published):
        what = f"{gone.kind} '{gone.id}'"
        if whole.resolve(gone.kind, gone.id) is not None:
            message = (f"{what} was published in {gone.version} and is now internal, "
                       "so its links in the public handbook would break")
            hint = (f"keep it public; or give the internal {gone.kind} a new id and retire '{gone.id}' in "
                    f"{retired_file} (its page then says it left the public plan)")
        elif gone.was == "live":
            message = f"{what} was published in {gone.version} and is no longer in the plan, so its links would break"
            hint = (f"if it was renamed, add 'formerly: [{gone.id}]' to its new entry; if it left the plan, "
                    f"add it to {retired_file}: {_entry_example(gone, plan.organization.period)}")
        elif gone.was == "retired":
            message = (f"{what} was published in {gone.version} as retired and is no longer in {retired_file}, "
                       "so its retirement page would disappear")
            hint = f"entries in {retired_file} are never removed; put it back: {_entry_example(gone, '')}"
        else:
            holder = gone.was.removeprefix("formerly:")
            heir = now.resolve(gone.kind, holder)
            where = f"{gone.kind} '{heir.id}'" if isinstance(heir, Item) else f"the {gone.kind} that replaced it"
            message = (f"{what} was published in {gone.version} as a former id of '{holder}' and is no longer "
                       "listed under any 'formerly:', so its links would break")
            hint = (f"add '{gone.id}' to 'formerly:' of {where}"
                    + (f" ('{holder}' is now '{heir.id}')" if isinstance(heir, Item) and heir.id != holder else "")
                    + f", or retire it in {retired_file}")
        problems.append(Diagnostic(retired_file, 1, 1, message, "", hint))
    return problems


def _entry_example(gone: Vanished, period: str) -> str:
    """A `retired.yaml` entry to paste, filled in as far as the published version allows."""
    entry = gone.entry
    title = (entry.title if entry else gone.title) or "..."
    retired = entry.retired if entry else period
    reason = entry.reason if entry else "..."
    successor = f", successor: {entry.successor}" if entry and entry.successor else ""
    return (f"{{kind: {gone.kind}, id: {gone.id}, title: {_quoted(title)}, retired: {retired}, "
            f"reason: {_quoted(reason)}{successor}}}")


def _quoted(text: str) -> str:
    """Text for a YAML example, on one line; a long text (a reason) is cut to an excerpt the author completes."""
    line = " ".join(text.split())
    if len(line) > EXCERPT_LIMIT:
        line = line[:EXCERPT_LIMIT] + "..."
    return '"' + line.replace("\\", "\\\\").replace('"', '\\"') + '"'
