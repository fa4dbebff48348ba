"""Where things go in the handbook's figures: the alignment map and the progress bars.

Pure geometry: a plan (or one number's assessment) goes in, boxes, lines and
labels with coordinates come out. The SVG templates draw them
(`templates/map.svg.j2`, `templates/bar.svg.j2`); `sales_handbook.site.figures` puts the
drawings in the pages. Text is measured roughly (an average character width),
which is enough to keep labels inside their boxes; full titles are kept for
tooltips.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sales_handbook.model import alignment
from sales_handbook.plan import urls
from sales_handbook.plan.language import N_
from sales_handbook.site import words
from sales_handbook.plan.plan import Plan
from sales_handbook.plan.schema import Department, Direction, Goal, Objective, Team
from sales_handbook.model.status import Assessment, Rollup
from sales_handbook.model.trends import Point

CHAR_WIDTH = 6.6
"""Average width in px of a character at the figures' 12 px font: for truncating labels, not for layout."""

DEPARTMENT_COLOURS = {
    Department.sales: "#1565c0",
    Department.marketing: "#8e24aa",
    Department.product: "#00695c",
    Department.customer_service: "#bf360c",
    Department.finance: "#6d4c41",
    Department.operations: "#546e7a",
    Department.people: "#5f6a00",
}
"""One colour per department; the department's name is always written next to it as well.

Each is text on white (team names) and under white text (department headings) at 12 px, so each has a
contrast of at least 4.5:1 with white (WCAG AA; tests/test_figures.py checks it)."""

STATUS_COLOURS = {
    "on-track": "#2e7d32",
    "at-risk": "#b34700",
    "off-track": "#c62828",
    "no-current": "#757575",
    "not-measurable": "#757575",
}
"""The colour of each status (`status.Status` values) in the bars; the status is always written in words too.
At least 4.5:1 with white: the current value is written in it."""

MARGIN = 12
HEADER = 30
OBJECTIVE_WIDTH = 230
GOAL_WIDTH = 300
INDIVIDUAL_WIDTH = 300
GAP = 80
NODE_HEIGHT = 26
NODE_GAP = 6
TEAM_HEIGHT = 22
DEPARTMENT_HEIGHT = 24
BAND_PADDING = 6
LINE_HEIGHT = 15

TOTAL_HEIGHT = 64
FLOW_WIDTH = 12.0
"""Stroke width, in px, of the heaviest department → objective flow of a summary map."""


class _Rounded:
    """Coordinates to a tenth of a pixel: finer is invisible, and it keeps the SVG short and stable."""

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, float):
                object.__setattr__(self, name, round(value, 1))
            elif isinstance(value, tuple) and value and all(isinstance(v, float) for v in value):
                object.__setattr__(self, name, tuple(round(v, 1) for v in value))


@dataclass(frozen=True)
class Node(_Rounded):
    """A box (or a heading) in the map that links to the item's page."""

    kind: str
    """'objective', 'department', 'team', 'goal' or 'individual'."""
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]
    title: str
    page: str
    anchor: str | None
    colour: str
    dashed: bool = False
    """A team goal that serves no objective: drawn dashed, so the gap shows."""

    @property
    def middle(self) -> float:
        """Vertical centre, where edges attach."""
        return self.y + self.height / 2


@dataclass(frozen=True)
class Edge(_Rounded):
    """A link from a child (right) to the parent it serves (left): objective ← goal ← individual goal."""

    x1: float
    y1: float
    x2: float
    y2: float
    colour: str


@dataclass(frozen=True)
class Band(_Rounded):
    """The background of one department's goals."""

    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Map:
    """The whole drawing."""

    width: float
    height: float
    columns: tuple[tuple[float, str], ...]
    bands: tuple[Band, ...]
    edges: tuple[Edge, ...]
    nodes: tuple[Node, ...]
    title: str


def fit(text: str, width: float) -> str:
    """`text` cut to what fits in `width` px, with an ellipsis when cut."""
    room = max(4, int(width / CHAR_WIDTH))
    flat = " ".join(text.split())
    return flat if len(flat) <= room else flat[: room - 1].rstrip() + "…"


def wrap(text: str, width: float, max_lines: int = 3) -> tuple[str, ...]:
    """`text` broken into lines that fit in `width` px, at most `max_lines`, the last one cut if needed."""
    room = max(4, int(width / CHAR_WIDTH))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], fit(" ".join(lines[max_lines - 1:]), width)]
    return tuple(fit(line, width) for line in lines) or ("",)


def _spread(wanted: Sequence[tuple[float, float]], top: float, gap: float) -> list[float]:
    """Tops for boxes that want to be centred at given heights, in order, without overlapping.

    `wanted` holds (desired centre, height) in the order the boxes are stacked.
    """
    tops: list[float] = []
    floor = top
    for centre, height in wanted:
        y = max(floor, centre - height / 2)
        tops.append(y)
        floor = y + height + gap
    return tops


@dataclass(frozen=True)
class Total(_Rounded):
    """A department's box in a summary map: how many of its teams, goals and individual goals it stands for."""

    x: float
    y: float
    width: float
    height: float
    department: str
    page: str
    colour: str
    teams: int
    goals: int
    individual_goals: int


@dataclass(frozen=True)
class Flow(_Rounded):
    """A department's goals serving one objective, drawn as one line as thick as their count."""

    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float
    goals: int
    department: str
    objective: str


@dataclass(frozen=True)
class Summary:
    """A map too large to draw goal by goal (`alignment.DETAIL_LIMIT`): objectives ← departments, with counts.

    A thousand-team plan's map drawn goal by goal was 18 MB of SVG, hundreds of
    thousands of pixels tall, that nobody can read and that took seconds to build.
    """

    width: float
    height: float
    columns: tuple[tuple[float, str], ...]
    objectives: tuple[Node, ...]
    totals: tuple[Total, ...]
    flows: tuple[Flow, ...]
    title: str
    goals: int
    individual_goals: int
    teams: int
    of_objective: bool


def alignment_map(plan: Plan, objective_id: str | None = None) -> Map | Summary:
    """The map of the plan (or of one objective): goal by goal, or counted by department when too large."""
    if not alignment.in_full(len(_goals_shown(plan, objective_id))):
        return summary_map(plan, objective_id)
    return plan_map(plan, objective_id)


def _goals_shown(plan: Plan, objective_id: str | None) -> list[tuple[Team, Goal]]:
    if objective_id is None:
        return list(plan.goals())
    return [(item.team, item.goal) for item in alignment.serving(plan, objective_id)]


def summary_map(plan: Plan, objective_id: str | None = None) -> Summary:
    """Objectives ← departments: each department's box counts its teams, team goals and individual goals,
    and one line per objective it serves is as thick as the number of its goals serving it."""
    said = words.words(plan.organization.language)
    objectives = [o for o in plan.objectives if objective_id in (None, o.id)]
    goals = _goals_shown(plan, objective_id)
    shown = {goal.id for _, goal in goals}
    individuals: dict[Department, int] = {}
    for team, _, goal in plan.individual_goals():
        if any(g in shown for g in goal.supports):
            individuals[team.department] = individuals.get(team.department, 0) + 1
    counts: dict[tuple[Department, str], int] = {}
    for team, goal in goals:
        for link in goal.aligns_to:
            if objective_id in (None, link.objective):
                counts[team.department, link.objective] = counts.get((team.department, link.objective), 0) + 1

    goal_x = MARGIN + OBJECTIVE_WIDTH + GAP
    wrapped = {o.id: wrap(o.title, OBJECTIVE_WIDTH - 16) for o in objectives}
    column = sum(LINE_HEIGHT * len(lines) + 12 for lines in wrapped.values()) + 12 * (len(objectives) - 1)
    departments = alignment.teams_by_department(list({t.id: t for t, _ in goals}.values()))
    step = TOTAL_HEIGHT + 2 * NODE_GAP  # departments spread along the objectives, so flows stay short
    if len(departments) > 1:
        step = max(step, (column - TOTAL_HEIGHT) / (len(departments) - 1))
    totals: list[Total] = []
    centres: dict[Department, float] = {}
    for index, (department, teams) in enumerate(departments):
        y = MARGIN + HEADER + index * step
        totals.append(Total(goal_x, y, GOAL_WIDTH, TOTAL_HEIGHT, said.label(department),
                            urls.department_page(department.value), DEPARTMENT_COLOURS[department], len(teams),
                            sum(1 for t, _ in goals if t.department is department), individuals.get(department, 0)))
        centres[department] = y + TOTAL_HEIGHT / 2
    bottom = max((t.y + t.height for t in totals), default=MARGIN + HEADER)

    boxes = []
    for objective in objectives:
        serving = [(centres[d], n) for (d, o), n in counts.items() if o == objective.id]
        weight = sum(n for _, n in serving)
        lines = wrapped[objective.id]
        height = LINE_HEIGHT * len(lines) + 12
        centre = sum(c * n for c, n in serving) / weight if weight else MARGIN + HEADER
        boxes.append((objective, lines, height, centre))
    boxes.sort(key=lambda box: box[3])
    tops = _spread([(0.0, h) for _, _, h, _ in boxes], MARGIN + HEADER, 12)  # a column from the top, in that order
    nodes: list[Node] = []
    objective_centres: dict[str, float] = {}
    titles = {o.id: o.title for o in objectives}
    for (objective, lines, height, _), top in zip(boxes, tops):
        nodes.append(Node("objective", MARGIN, top, OBJECTIVE_WIDTH, height, lines, objective.title,
                          urls.objective_page(objective.id), None, "#283593"))
        objective_centres[objective.id] = top + height / 2
    heaviest = max(counts.values(), default=1)
    flows = tuple(
        Flow(goal_x, centres[department], MARGIN + OBJECTIVE_WIDTH, objective_centres[objective], DEPARTMENT_COLOURS[department],
             1.5 + (FLOW_WIDTH - 1.5) * count / heaviest, count, said.label_in_text(department), titles[objective])
        for (department, objective), count in sorted(counts.items(), key=lambda item: (item[0][0].value, item[0][1]))
    )
    height = max([bottom, *(n.y + n.height for n in nodes)]) + MARGIN
    return Summary(goal_x + GOAL_WIDTH + MARGIN, height,
                   ((MARGIN, said.gettext("Objectives")), (goal_x, said.gettext("Team goals, counted by department"))),
                   tuple(nodes), tuple(totals), flows, _map_title(said, objective_id, objectives), len(goals), sum(individuals.values()),
                   len({t.id for t, _ in goals}), objective_id is not None)


def plan_map(plan: Plan, objective_id: str | None = None) -> Map:
    """The alignment map: objectives ← team goals (by department and team) ← individual goals.

    With `objective_id`, only that objective, the goals that serve it and the
    individual goals that support those.
    """
    said = words.words(plan.organization.language)
    objectives = [o for o in plan.objectives if objective_id in (None, o.id)]
    goals = _goals_shown(plan, objective_id)
    shown_goals = {goal.id for _, goal in goals}
    individuals = [(team, person, goal) for team, person, goal in plan.individual_goals()
                   if any(g in shown_goals for g in goal.supports)]

    goal_x = MARGIN + OBJECTIVE_WIDTH + GAP
    individual_x = goal_x + GOAL_WIDTH + GAP
    nodes: list[Node] = []
    bands: list[Band] = []
    centres: dict[str, float] = {}
    y = MARGIN + HEADER
    for department, teams in alignment.teams_by_department([t for t in plan.teams if any(t.id == g[0].id for g in goals)]):
        colour = DEPARTMENT_COLOURS[department]
        band_top = y
        nodes.append(Node("department", goal_x, y, GOAL_WIDTH, DEPARTMENT_HEIGHT,
                          (fit(said.label(department), GOAL_WIDTH - 16),),
                          said.gettext("%(department)s department", department=said.label(department)),
                          urls.department_page(department.value), None, colour))
        y += DEPARTMENT_HEIGHT
        for team in teams:
            nodes.append(Node("team", goal_x, y, GOAL_WIDTH, TEAM_HEIGHT, (fit(team.name, GOAL_WIDTH - 16),),
                              team.name, urls.team_page(team.id), None, colour))
            y += TEAM_HEIGHT
            for owner, goal in goals:
                if owner.id != team.id:
                    continue
                nodes.append(_goal_node(goal_x, y, team, goal, colour))
                centres[goal.id] = y + NODE_HEIGHT / 2
                y += NODE_HEIGHT + NODE_GAP
        y += BAND_PADDING
        bands.append(Band(goal_x - BAND_PADDING, band_top - BAND_PADDING / 2, GOAL_WIDTH + 2 * BAND_PADDING,
                          y - band_top, colour))
        y += NODE_GAP
    bottom = y

    objective_boxes = []
    for objective in objectives:
        serving = [centres[item.goal.id] for item in alignment.serving(plan, objective.id) if item.goal.id in centres]
        lines = wrap(objective.title, OBJECTIVE_WIDTH - 16)
        height = LINE_HEIGHT * len(lines) + 12
        objective_boxes.append((objective, lines, height, sum(serving) / len(serving) if serving else MARGIN + HEADER))
    objective_boxes.sort(key=lambda box: box[3])
    objective_tops = _spread([(c, h) for _, _, h, c in objective_boxes], MARGIN + HEADER, 12)
    objective_centres: dict[str, float] = {}
    for (objective, lines, height, _), top in zip(objective_boxes, objective_tops):
        nodes.append(Node("objective", MARGIN, top, OBJECTIVE_WIDTH, height, lines, objective.title,
                          urls.objective_page(objective.id), None, "#283593"))
        objective_centres[objective.id] = top + height / 2

    wanted = []
    for team, person, goal in individuals:
        parents = [centres[g] for g in goal.supports if g in centres]
        wanted.append((sum(parents) / len(parents), team, person, goal))
    wanted.sort(key=lambda w: w[0])
    individual_tops = _spread([(c, NODE_HEIGHT) for c, *_ in wanted], MARGIN + HEADER, NODE_GAP)
    edges: list[Edge] = []
    for (_, team, person, goal), top in zip(wanted, individual_tops):
        colour = DEPARTMENT_COLOURS[team.department]
        label = f"{person.name}: {goal.title}"
        nodes.append(Node("individual", individual_x, top, INDIVIDUAL_WIDTH, NODE_HEIGHT,
                          (fit(label, INDIVIDUAL_WIDTH - 16),), label, urls.person_page(person.id), goal.id, colour))
        for parent in goal.supports:
            if parent in centres:
                edges.append(Edge(individual_x, top + NODE_HEIGHT / 2, goal_x + GOAL_WIDTH, centres[parent], colour))
    for team, goal in goals:
        for link in goal.aligns_to:
            if link.objective in objective_centres:
                edges.append(Edge(goal_x, centres[goal.id], MARGIN + OBJECTIVE_WIDTH, objective_centres[link.objective],
                                  DEPARTMENT_COLOURS[team.department]))

    height = max([bottom, *(n.y + n.height for n in nodes)]) + MARGIN
    columns = ((MARGIN, said.gettext("Objectives")), (goal_x, said.gettext("Team goals, by department and team")),
               (individual_x, said.gettext("Individual goals")))
    return Map(individual_x + INDIVIDUAL_WIDTH + MARGIN, height, columns, tuple(bands), tuple(edges), tuple(nodes),
               _map_title(said, objective_id, objectives))


def _map_title(said: words.Words, objective_id: str | None, objectives: list[Objective]) -> str:
    if objective_id is None:
        return said.gettext("Alignment map")
    return said.gettext("Alignment map of %(objective)s", objective=objectives[0].title)


def _goal_node(x: float, y: float, team: Team, goal: Goal, colour: str) -> Node:
    return Node("goal", x, y, GOAL_WIDTH, NODE_HEIGHT, (fit(goal.title, GOAL_WIDTH - 20),), goal.title,
                urls.team_page(team.id), goal.id, colour, dashed=not goal.aligns_to)


# ---------------------------------------------------------------- progress bars

BAR_WIDTH = 460
BAR_TRACK_Y = 22
BAR_TRACK_HEIGHT = 12
BAR_HEIGHT = 58
BAR_INSET = 6
"""Room at both ends of the track, so markers at 0 % and 100 % stay visible."""
BAR_ROW = 14
"""Height of a second row of labels below the track, when two labels would not fit side by side."""
BAR_EDGE = 2
"""Least room between a label and the edge of the drawing."""
LABEL_CHAR_WIDTH = CHAR_WIDTH
"""Width of a label character at the bars' 11 px font, estimated high (the 12 px estimate), so a label
placed by it is never wider than the room it was given."""
LABEL_GAP = 10

BAR_WORDS = {"baseline": N_("baseline %(value)s"), "target": N_("target %(value)s"), "line": N_("line %(value)s"),
             "current": N_("now %(value)s")}
"""What each value on a bar is called."""


@dataclass(frozen=True)
class Label(_Rounded):
    """A value written on the bar: what it is ('baseline', 'target', 'line', 'current'), its words and where.

    `x` with `anchor` as in SVG; the text (estimated) runs from `left` to `right`, inside the drawing.
    """

    role: str
    value: float
    x: float
    y: float
    anchor: str
    text: str = ""
    left: float = 0.0
    right: float = 0.0


@dataclass(frozen=True)
class Bar(_Rounded):
    """A number's progress drawn on a track."""

    width: float
    height: float
    track: tuple[float, float]
    fill: tuple[float, float] | None
    """Increase and decrease: the part of the way covered (None without a current value)."""
    expected: float | None
    """Increase and decrease: where progress would be if it kept pace with time."""
    zone: tuple[float, float] | None
    """Stay above and stay below: the side of the line that is fine."""
    line: float | None
    """Stay above and stay below: the line to hold."""
    dot: float | None
    """Stay above and stay below: the current value."""
    mark: float | None
    """Stay above and stay below: the baseline (its label may sit a little aside, to stay readable)."""
    labels: tuple[Label, ...]


def _label(role: str, value: float, at: float, y: float, unit: str, said: words.Words) -> Label:
    """A label for the point `at`, centred on it where it fits, else flush with the edge it would cross.

    Too long for the whole drawing (a long unit), it is cut with an ellipsis; the bar's title has it all.
    """
    room = BAR_WIDTH - 2 * BAR_EDGE
    text = fit(said.gettext(BAR_WORDS[role], value=said.figure(value, unit)), room * CHAR_WIDTH / LABEL_CHAR_WIDTH)
    width = len(text) * LABEL_CHAR_WIDTH
    left = at - width / 2
    if left < BAR_EDGE:
        return Label(role, value, BAR_EDGE, y, "start", text, BAR_EDGE, BAR_EDGE + width)
    if left + width > BAR_WIDTH - BAR_EDGE:
        return Label(role, value, BAR_WIDTH - BAR_EDGE, y, "end", text, BAR_WIDTH - BAR_EDGE - width,
                     BAR_WIDTH - BAR_EDGE)
    return Label(role, value, at, y, "middle", text, left, left + width)


def _rows(labels: list[Label]) -> list[Label]:
    """Labels below the track, left to right; one that would overlap the one before it goes a row lower."""
    placed: list[Label] = []
    ends: dict[float, float] = {}
    for label in sorted(labels, key=lambda found: found.left):
        y = label.y
        while ends.get(y, -BAR_WIDTH) + LABEL_GAP > label.left:
            y += BAR_ROW
        ends[y] = label.right
        placed.append(Label(label.role, label.value, label.x, y, label.anchor, label.text, label.left, label.right))
    return placed


def progress_bar(baseline: float, target: float, current: float | None, direction: Direction,
                 assessment: Assessment, unit: str = "", said: words.Words | None = None) -> Bar:
    """The bar of one number.

    Increase and decrease: the track runs from baseline (left) to target (right),
    filled as far as progress goes, with a tick where progress would be if it kept
    pace with the time gone by. Stay above and stay below: the track is a scale
    over baseline, line and current value, the good side of the line shaded.
    Every label lies inside the drawing: a label that would cross an edge is moved
    in, and one that would overlap another goes a row lower (the bar grows).
    """
    said = said or words.words()
    left, right = BAR_INSET, BAR_WIDTH - BAR_INSET
    span = right - left
    top, bottom = 12, BAR_TRACK_Y + BAR_TRACK_HEIGHT + 16
    above: list[Label] = []
    if direction in (Direction.increase, Direction.decrease):
        done = assessment.progress
        below = [_label("baseline", baseline, left, bottom, unit, said), _label("target", target, right, bottom, unit, said)]
        fill = None
        if done is not None and current is not None:
            end = left + span * done
            fill = (left, end)
            above.append(_label("current", current, end, top, unit, said))
        labels = (*_rows(below), *above)
        return Bar(BAR_WIDTH, _height(labels), (left, right), fill, left + span * assessment.elapsed, None, None,
                   None, None, labels)
    values = [baseline, target, *([current] if current is not None else [])]
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or abs(target) * 0.1 or 1.0
    low, high = low - pad, high + pad

    def at(value: float) -> float:
        return left + span * (value - low) / (high - low)

    line = at(target)
    zone = (line, right) if direction is Direction.stay_above else (left, line)
    below = [_label("baseline", baseline, at(baseline), bottom, unit, said), _label("line", target, line, bottom, unit, said)]
    dot = None
    if current is not None:
        dot = at(current)
        above.append(_label("current", current, dot, top, unit, said))
    labels = (*_rows(below), *above)
    return Bar(BAR_WIDTH, _height(labels), (left, right), None, None, zone, line, dot, at(baseline), labels)


def _height(labels: tuple[Label, ...]) -> float:
    return max(BAR_HEIGHT, max(label.y for label in labels) + BAR_HEIGHT - (BAR_TRACK_Y + BAR_TRACK_HEIGHT + 16))


MINI_WIDTH = 64
MINI_HEIGHT = 8


def mini_share(assessment: Assessment, direction: Direction) -> float | None:
    """How much of an overview's small bar is filled: the share of the way (increase, decrease), or of the
    starting margin left (stay above, stay below; none once the line is crossed); None without a current value."""
    if assessment.progress is None:
        return None
    if direction in (Direction.stay_above, Direction.stay_below):
        if assessment.status.value == "off-track":
            return 0.0
        share = 1.0 if assessment.headroom is None else assessment.headroom
    else:
        share = assessment.progress
    return round(max(0.0, min(1.0, share)), 3)


ROLLUP_WIDTH = 240
ROLLUP_HEIGHT = 12
ROLLUP_MINI_WIDTH = 96


@dataclass(frozen=True)
class Segment(_Rounded):
    """One status's part of a roll-up bar: where it starts, how wide it is, and its colour."""

    x: float
    width: float
    status: str
    count: int
    colour: str


def rollup_bar(rollup: Rollup, width: float = ROLLUP_WIDTH) -> tuple[Segment, ...]:
    """A roll-up as a stacked bar: one segment per status some goal has, as wide as its share of the goals."""
    total = rollup.total
    segments: list[Segment] = []
    x = 0.0
    for state, count in rollup.shown():
        share = width * count / total
        segments.append(Segment(x, share, state.value, count, STATUS_COLOURS[state.value]))
        x += share
    return tuple(segments)


TREND_WIDTH = 168
TREND_HEIGHT = 44
TREND_PAD = 5


@dataclass(frozen=True)
class Trend:
    """A number's values over time as a small line: oldest on the left, the target as a dashed line."""

    width: float
    height: float
    line: str
    """The polyline's points ('x,y x,y ...'), one per point with a value."""
    last: tuple[float, float]
    target: float | None
    """The y of the target line; None when the goal has no target."""
    rows: tuple[tuple[str, str, str, str], ...]
    """Every point, oldest first, as its table shows it: day, value with its unit ('' without one), confidence
    and note ('' when not given). Formatted once here: a large plan has 200,000 of them."""
    target_text: str
    """The target with its unit, '' without a target."""


def trend(points: Sequence[Point], target: float | None, unit: str = "", said: words.Words | None = None) -> Trend | None:
    """The trend of a number's points; None with fewer than two points that have a value (the bar says it all).
    Days and values are written in `said`'s language (English by default)."""
    said = said or words.words()
    valued = [p for p in points if p.current is not None]
    if len(valued) < 2:
        return None
    values = [p.current for p in valued if p.current is not None] + ([target] if target is not None else [])
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    first, span = valued[0].as_of, (valued[-1].as_of - valued[0].as_of).days or 1
    left, right, top, bottom = TREND_PAD, TREND_WIDTH - TREND_PAD, TREND_PAD, TREND_HEIGHT - TREND_PAD

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * (value - low) / (high - low), 1)

    xy = [(round(left + (right - left) * (p.as_of - first).days / span, 1), y(p.current)) for p in valued
          if p.current is not None]
    rows = tuple((said.date(p.as_of), "" if p.current is None else said.figure(p.current, unit),
                  p.confidence or "", p.note or "") for p in points)
    return Trend(TREND_WIDTH, TREND_HEIGHT, " ".join(f"{x},{y}" for x, y in xy), xy[-1],
                 None if target is None else y(target), rows,
                 "" if target is None else said.figure(target, unit))
