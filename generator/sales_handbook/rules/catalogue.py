"""The alignment rules: what makes a plan follow the domain article's five steps.

Each rule has a stable kebab-case id (plans switch rules off by it, and the
site documents it at a URL made from it), a default severity, the words the
handbook uses to explain it, and a function that finds where a plan breaks it.
Rules read the validated `Plan` and never fail: they only report. What a rule
says about a place is a `Phrase` (`say`), so the site shows it in the plan's
language and `handbook check` in English. How findings are graded by the
plan's settings and grouped for readers is `sales_handbook.rules.health`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sales_handbook.model import alignment
from sales_handbook.model.status import Status, assess_measure
from sales_handbook.plan import lineage, urls
from sales_handbook.plan.language import N_, Phrase, say, say_plural
from sales_handbook.plan.diagnostics import Severity, clip, close_to, excerpt
from sales_handbook.plan.plan import OBJECTIVES_FILE, ORGANIZATION_FILE, Located, Plan, review_file, team_file
from sales_handbook.plan.schema import (
    ChangeField,
    Confidence,
    Department,
    IndividualGoal,
    KeyMetric,
    Measure,
    MetricKind,
    Objective,
    Person,
    Team,
    period_bounds,
    time_frame_said,
)
from sales_handbook.plan.schema import Goal as TeamGoal
from sales_handbook.plan.yamlfile import PlainPath

STEPS = {
    1: (N_("Understand the big picture"), N_("Sales teams need to grasp the company's mission, vision, and overall goals.")),
    2: (N_("Identify key metrics"), N_("Look beyond just revenue targets. Consider metrics like customer retention, "
                                   "market share growth, or product penetration that reflect broader "
                                   "organizational objectives.")),
    3: (N_("Collaborate across departments"), N_("Sales can't work in isolation. Collaboration with marketing, product "
                                             "development, and customer service ensures that sales goals complement "
                                             "other departmental objectives.")),
    4: (N_("Customize for each salesperson"), N_("Customize sales goals based on individual strengths, territories, or "
                                             "market segments.")),
    5: (N_("Regular review and adaptation"), N_("Markets evolve, and so should goals. Regularly review and adapt sales "
                                            "goals to stay aligned with changing organizational priorities.")),
}
"""The domain article's five steps for aligning sales goals, which the rules make checkable."""

TOLERANCE = 0.01
"""How far (in percentage points) weights may be from 100 and still add up: rounding, not a mistake."""


@dataclass(frozen=True)
class Subject:
    """The item a finding is about, as the site names and links to it."""

    label: str | Phrase
    """Plan text (a goal's title, a person's name) or, for a page of the handbook's own, its name."""
    page: str
    anchor: str | None = None


@dataclass(frozen=True)
class Hit:
    """One place where a plan breaks a rule: where, what, and which objectives and teams it concerns."""

    where: Located
    says: Phrase
    subject: Subject
    objectives: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    advice: Phrase | None = None
    """A hint for this place; the rule's general `fix` is used when there is none."""

    @property
    def message(self) -> str:
        """What the finding says, in English: what `handbook check` prints."""
        return str(self.says)

    @property
    def hint(self) -> str:
        """The hint for this place in English, or an empty string."""
        return "" if self.advice is None else str(self.advice)


Finder = Callable[[Plan], Iterable[Hit]]
TeamFinder = Callable[[Plan, Team], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A check the handbook runs on every plan, and the words that explain it."""

    id: str
    severity: Severity
    step: int
    title: str
    checks: str
    why: str
    fix: str
    find: Finder
    find_in_team: TeamFinder | None = None
    """For a rule whose every finding is in one team's file: the finder for one team.

    `find` is then that finder on every team in turn. `handbook serve` uses it to
    check again only the teams an edit can change (`sales_handbook.speed.recheck`).
    """
    find_elsewhere: Finder | None = None
    """For a per-team rule that also finds problems outside `teams/` (key metrics in objectives.yaml): the finder
    for those, which `handbook serve` runs on every edit; `find` includes what it finds."""

    def __reduce__(self) -> tuple[Callable[[str], Rule], tuple[str]]:
        """A rule crosses to another process (findings from a worker) by its id, and arrives as the same object."""
        return by_id, (self.id,)


_CATALOGUE: list[Rule] = []


def catalogue() -> tuple[Rule, ...]:
    """Every rule, in the order of the article's steps."""
    return tuple(sorted(_CATALOGUE, key=lambda r: r.step))


def by_id(rule_id: str) -> Rule:
    """The rule with this id (KeyError if there is none)."""
    return {rule.id: rule for rule in _CATALOGUE}[rule_id]


def _rule(rule_id: str, severity: Severity, step: int, title: str, *, checks: str, why: str,
          fix: str) -> Callable[[Finder], Finder]:
    def register(find: Finder) -> Finder:
        _CATALOGUE.append(Rule(rule_id, severity, step, title, checks, why, fix, find))
        return find

    return register


def _team_rule(rule_id: str, severity: Severity, step: int, title: str, *, checks: str, why: str,
               fix: str, elsewhere: Finder | None = None) -> Callable[[TeamFinder], TeamFinder]:
    """Register a rule that looks at one team at a time (and at what its goals point to), and with `elsewhere` at
    what lies outside the team files."""
    def register(find_in_team: TeamFinder) -> TeamFinder:
        def find(plan: Plan) -> Iterator[Hit]:
            for team in plan.teams:
                yield from find_in_team(plan, team)
            if elsewhere is not None:
                yield from elsewhere(plan)

        _CATALOGUE.append(Rule(rule_id, severity, step, title, checks, why, fix, find, find_in_team, elsewhere))
        return find_in_team

    return register


# ---------------------------------------------------------------- subjects


def _goal(team: Team, goal: Measure, person: Person | None = None) -> Subject:
    """A team goal's section on its team's page, or (with its `person`) an individual goal's on theirs."""
    if person is not None:
        return Subject(goal.title, urls.person_page(person.id), goal.id)
    return Subject(goal.title, urls.team_page(team.id), goal.id)


def _person(team: Team, person: Person) -> Subject:
    return Subject(person.name, urls.person_page(person.id))


def _team(team: Team) -> Subject:
    return Subject(team.name, urls.team_page(team.id))


def _objective(objective: Objective) -> Subject:
    return Subject(objective.title, urls.objective_page(objective.id))


def _objectives_of(goal: TeamGoal) -> tuple[str, ...]:
    return tuple(link.objective for link in goal.aligns_to)


def _team_objectives(team: Team) -> tuple[str, ...]:
    """The objectives a team's goals serve, in first-seen order: what a finding about the whole team concerns."""
    return tuple(dict.fromkeys(o for g in team.goals for o in _objectives_of(g)))


def _supported(plan: Plan, goal: IndividualGoal) -> list[tuple[Team, TeamGoal]]:
    known = plan.ids("goal")
    return [plan.goal(goal_id) for goal_id in goal.supports if goal_id in known]


def _objectives_supported(plan: Plan, goal: IndividualGoal) -> tuple[str, ...]:
    return tuple(dict.fromkeys(o for _, parent in _supported(plan, goal) for o in _objectives_of(parent)))


def _team_goals(team: Team) -> Iterator[tuple[Person | None, PlainPath, TeamGoal | IndividualGoal]]:
    """Every goal (person None) and individual goal of a team, with its path in the team's file.

    Only the path: what a finding says about a goal (`_goal_hit`) is worked out for the few
    goals that break a rule, not for the 25,000 goals of a large plan that do not.
    """
    for i, goal in enumerate(team.goals):
        yield None, ("goals", i), goal
    for i, person in enumerate(team.people):
        for j, own in enumerate(person.goals):
            yield person, ("people", i, "goals", j), own


def _goal_hit(plan: Plan, team: Team, person: Person | None, path: PlainPath, goal: TeamGoal | IndividualGoal,
              says: Phrase, advice: Phrase | None = None) -> Hit:
    """A finding about a goal of `_team_goals` (its `says` names it by `_goal_name`), concerning the objectives it
    serves."""
    objectives = _objectives_of(goal) if isinstance(goal, TeamGoal) else _objectives_supported(plan, goal)
    return Hit(Located(team_file(team.id), path), says, _goal(team, goal, person), objectives, (team.id,), advice)


def _goal_name(goal: Measure, person: Person | None) -> Phrase:
    """How a finding names a goal of `_team_goals`: the subject of its sentence."""
    if person is None:
        return say("goal '%(goal)s'", goal=goal.id)
    return say("individual goal '%(goal)s' of %(person)s", goal=goal.id, person=clip(person.name))


def _names(items: Iterable[str], conjunction: str = "and") -> str | Phrase:
    """'a', or 'a', 'b' and 'c' (`conjunction` "and" or "or"): ids quoted as written, the words translated."""
    quoted = [f"'{item}'" for item in items]
    if len(quoted) == 1:
        return quoted[0]
    first, last = ", ".join(quoted[:-1]), quoted[-1]
    if conjunction == "or":
        return say("%(first)s or %(last)s", first=first, last=last)
    return say("%(first)s and %(last)s", first=first, last=last)


def _did_you_mean(word: str, choices: Iterable[str]) -> Phrase | None:
    """'did you mean 'x'?' for a misspelt name, or None when nothing is close (`diagnostics.did_you_mean`, spoken)."""
    close = close_to(word, choices)
    return say("did you mean %(names)s?", names=_names(close, "or")) if close else None


# ---------------------------------------------------------------- 1. the big picture


@_team_rule("goal-without-objective", "warning", 1, N_("A goal serves no objective"),
            checks=N_("Every team goal names at least one objective under `aligns_to`."),
            why=N_("A goal that serves no objective pulls the team away from the company's plan: nobody can say why "
                   "it matters, and new hires cannot see how their work counts."),
            fix=N_("add 'aligns_to:' with the objective this goal serves and a one-line 'why', or drop the goal"))
def _goal_without_objective(plan: Plan, team: Team) -> Iterator[Hit]:
    for i, goal in enumerate(team.goals):
        if not goal.aligns_to:
            yield Hit(Located(team_file(team.id), ("goals", i)), say("goal '%(goal)s' serves no objective",
                                                                      goal=goal.id),
                      _goal(team, goal), teams=(team.id,))


@_rule("objective-without-goals", "warning", 1, N_("No goal serves an objective"),
       checks=N_("Every objective is served by at least one team goal."),
       why=N_("An objective no team works towards is a wish, not a plan: it will be missed, and nobody owns it."),
       fix=N_("align a team goal to this objective (under the goal's 'aligns_to'), or drop the objective"))
def _objective_without_goals(plan: Plan) -> Iterator[Hit]:
    for i, objective in enumerate(plan.objectives):
        if not plan.goals_serving(objective.id):
            yield Hit(Located(OBJECTIVES_FILE, ("objectives", i)),
                      say("objective '%(objective)s' is served by no team goal", objective=objective.id),
                      _objective(objective), objectives=(objective.id,))


@_team_rule("individual-goal-without-team-goal", "warning", 1, N_("An individual goal supports no team goal"),
            checks=N_("Every individual goal lists at least one team goal under `supports`."),
            why=N_("An individual goal that supports no team goal is work the team does not count on; the salesperson "
                   "cannot see how it serves the company."),
            fix=N_("list the team goal it supports under 'supports:', or drop the individual goal"))
def _individual_goal_without_team_goal(plan: Plan, team: Team) -> Iterator[Hit]:
    for i, person in enumerate(team.people):
        for j, goal in enumerate(person.goals):
            if not goal.supports:
                yield Hit(Located(team_file(team.id), ("people", i, "goals", j)),
                          say("individual goal '%(goal)s' of %(person)s supports no team goal", goal=goal.id,
                              person=clip(person.name)),
                          _goal(team, goal, person), teams=(team.id,))


# ---------------------------------------------------------------- 2. key metrics


@_team_rule("revenue-only-team", "warning", 2, N_("A team's goals are all revenue goals"),
            checks=N_("A team with goals has at least one goal whose metric is not `revenue`."),
            why=N_("Revenue alone does not show whether customers stay, whether we win the market or whether new "
                   "products land. The article asks to look beyond revenue: retention, market share, penetration."),
            fix=N_("add a goal on retention, market share, product penetration or customer satisfaction that serves "
                   "one of the team's objectives"))
def _revenue_only_team(plan: Plan, team: Team) -> Iterator[Hit]:
    if team.goals and all(goal.metric is MetricKind.revenue for goal in team.goals):
        says = say_plural("team '%(team)s' looks only at revenue: its only goal is a revenue goal",
                          "team '%(team)s' looks only at revenue: all %(num)s of its goals are revenue goals",
                          len(team.goals), team=team.id)
        yield Hit(Located(team_file(team.id), ("goals",)), says, _team(team), _team_objectives(team), (team.id,))


@_team_rule("goal-not-measurable", "warning", 2, N_("A goal is not measurable"),
            checks=N_("Every goal and individual goal has a `target` and a `unit`."),
            why=N_("Without a number to reach and what it is counted in, nobody can tell whether the goal was met, "
                   "and the handbook cannot show its progress."),
            fix=N_("add 'target:' (the value to reach) and 'unit:' (what it is counted in)"))
def _goal_not_measurable(plan: Plan, team: Team) -> Iterator[Hit]:
    for person, path, goal in _team_goals(team):
        if goal.target is None or goal.unit is None:
            name = _goal_name(goal, person)
            if goal.target is None and goal.unit is None:
                says = say("%(subject)s is not measurable: it has no target and no unit", subject=name)
                advice = say("add 'target:' and 'unit:' to the goal")
            elif goal.target is None:
                says = say("%(subject)s is not measurable: it has no target", subject=name)
                advice = say("add 'target:' to the goal")
            else:
                says = say("%(subject)s is not measurable: it has no unit", subject=name)
                advice = say("add 'unit:' to the goal")
            yield _goal_hit(plan, team, person, path, goal, says, advice)


@_team_rule("goal-not-time-bound", "warning", 2, N_("A goal is not time-bound"),
            checks=N_("Every goal and individual goal has a time frame: `period` or `due` (optionally with `start`)."),
            why=N_("A goal without an end date cannot be late, so it is never reviewed; progress cannot be judged "
                   "against the time that has passed."),
            fix=N_("add 'period:' with the quarter, or 'due:' with the date it must be met by"))
def _goal_not_time_bound(plan: Plan, team: Team) -> Iterator[Hit]:
    for person, path, goal in _team_goals(team):
        if goal.time_frame() is None:
            yield _goal_hit(plan, team, person, path, goal,
                            say("%(subject)s is not time-bound: it has no period and no due date",
                                subject=_goal_name(goal, person)),
                            say("add 'period: %(period)s' or 'due: YYYY-MM-DD'", period=plan.organization.period))


@_team_rule("goal-ends-after-period", "warning", 2, N_("A goal ends after the plan's period"),
            checks=N_("No goal or individual goal ends after the last day of the plan's period (`period` in "
                      "organization.yaml)."),
            why=N_("The plan is for one quarter; a goal that runs past it cannot be judged at the quarter's review and "
                   "belongs in a later plan."),
            fix=N_("bring the due date within the plan's period, or move the goal to the plan of the quarter it ends in"))
def _goal_ends_after_period(plan: Plan, team: Team) -> Iterator[Hit]:
    period = plan.organization.period
    _, period_end = period_bounds(period)
    for person, path, goal in _team_goals(team):
        frame = goal.time_frame()
        if frame is not None and frame[1] > period_end:
            yield _goal_hit(plan, team, person, (*path, _time_field(goal)), goal,
                            say("%(subject)s ends on %(end)s, after the plan's period %(period)s (which ends on "
                                "%(period_end)s)", subject=_goal_name(goal, person), end=frame[1], period=period,
                                period_end=period_end))


# ---------------------------------------------------------------- 3. collaboration


@_rule("single-department-objective", "warning", 3, N_("Only one department serves an objective"),
       checks=N_("Every objective that goals serve is served by goals of at least two departments."),
       why=N_("Sales can't work in isolation: an objective only one department works on misses what marketing, "
              "product and customer service bring, and nobody outside that department feels it is theirs."),
       fix=N_("align a goal of another department (marketing, product, customer service) to this objective"))
def _single_department_objective(plan: Plan) -> Iterator[Hit]:
    for i, objective in enumerate(plan.objectives):
        departments = alignment.departments_serving(plan, objective.id)
        if len(departments) == 1:
            teams = tuple(team.id for team, _ in alignment.serving_by_team(plan, objective.id))
            yield Hit(Located(OBJECTIVES_FILE, ("objectives", i)),
                      say("objective '%(objective)s' is served by the %(department)s department only",
                          objective=objective.id, department=departments[0]),
                      _objective(objective), (objective.id,), teams)


def _objectives_served(plan: Plan, team: Team) -> frozenset[str]:
    """The objectives a team's goals serve, worked out once per team and plan: a partner team is asked per goal."""
    served: dict[str, frozenset[str]] = plan.derived("objectives-served-by-team", lambda _: {})
    if team.id not in served:
        served[team.id] = frozenset(alignment.objectives_served(team))
    return served[team.id]


@_team_rule("collaborator-without-support", "warning", 3, N_("A collaborating team has nothing that supports the goal"),
            checks=N_("Each team named under a goal's `collaborators` has a goal that serves one of the same objectives, "
                      "or a person with an individual goal that supports the goal."),
            why=N_("Naming a team as a collaborator is a promise of help. If that team has no goal of its own towards "
                   "the same objective, the help is nobody's job and will not happen."),
            fix=N_("give the collaborating team a goal that serves the same objective, or remove it from 'collaborators'"))
def _collaborator_without_support(plan: Plan, team: Team) -> Iterator[Hit]:
    teams = plan.ids("team")
    for i, goal in enumerate(team.goals):
        if not goal.collaborators:
            continue
        objectives = set(_objectives_of(goal))
        for j, partner_id in enumerate(goal.collaborators):
            if partner_id not in teams or partner_id == team.id:
                continue
            partner = plan.team(partner_id)
            shares = not objectives.isdisjoint(_objectives_served(plan, partner))
            supports = any(owner.id == partner_id for owner, _, _ in plan.goals_supported_by(goal.id))
            if not shares and not supports:
                served = _names(sorted(objectives), "or") if objectives else say("an objective of this goal")
                yield Hit(Located(team_file(team.id), ("goals", i, "collaborators", j)),
                          say("goal '%(goal)s' counts on team '%(team)s', but none of its goals serves %(objectives)s "
                              "and none of its people's goals supports '%(goal)s'", goal=goal.id, team=partner_id,
                              objectives=served),
                          _goal(team, goal), _objectives_of(goal), (team.id, partner_id),
                          say("give %(name)s a goal that serves the same objective, or remove '%(team)s' from this "
                              "goal's collaborators", name=clip(partner.name), team=partner_id))


# ---------------------------------------------------------------- 4. each salesperson


def _is_salesperson(team: Team, person: Person) -> bool:
    """Salespeople are the members of sales teams other than the team's lead."""
    return team.department is Department.sales and person.id != team.lead


@_team_rule("salesperson-without-goals", "warning", 4, N_("A salesperson has no individual goals"),
            checks=N_("Every member of a sales team other than its lead has at least one individual goal."),
            why=N_("Goals customized for each salesperson (their strengths, territory and segments) are how a team "
                   "goal becomes everyone's work. Without them, the salesperson cannot see their part."),
            fix=N_("add 'goals:' to the person, each supporting a team goal"))
def _salesperson_without_goals(plan: Plan, team: Team) -> Iterator[Hit]:
    for i, person in enumerate(team.people):
        if _is_salesperson(team, person) and not person.goals:
            yield Hit(Located(team_file(team.id), ("people", i)),
                      say("salesperson '%(person)s' (%(name)s) has no individual goals", person=person.id,
                          name=clip(person.name)),
                      _person(team, person), _team_objectives(team), (team.id,))


@_team_rule("individual-goal-for-another-team", "info", 4,
            N_("An individual goal supports only another team's goals"),
            checks=N_("An individual goal that supports only goals of other teams is welcome there: at least one of those "
                      "goals names the person's team under `collaborators`."),
            why=N_("When a salesperson works towards another team's goal and that team does not count on them, "
                   "neither team plans for the work, and it is missed in both reviews."),
            fix=N_("add the person's team to the collaborators of the goal it supports, or support a goal of their "
                   "own team"))
def _individual_goal_for_another_team(plan: Plan, team: Team) -> Iterator[Hit]:
    for i, person in enumerate(team.people):
        for j, goal in enumerate(person.goals):
            parents = _supported(plan, goal)
            if parents and all(owner.id != team.id and team.id not in parent.collaborators
                               for owner, parent in parents):
                owners = sorted({owner.id for owner, _ in parents})
                yield Hit(Located(team_file(team.id), ("people", i, "goals", j, "supports")),
                          say_plural("individual goal '%(goal)s' of %(person)s supports only goals of team "
                                     "%(teams)s, which do not name '%(team)s' as a collaborator",
                                     "individual goal '%(goal)s' of %(person)s supports only goals of teams "
                                     "%(teams)s, which do not name '%(team)s' as a collaborator",
                                     len(owners), goal=goal.id, person=clip(person.name), teams=_names(owners),
                                     team=team.id),
                          _goal(team, goal, person), _objectives_supported(plan, goal), (team.id, *owners))


@_team_rule("goal-outside-parent-time-frame", "warning", 4,
            N_("An individual goal runs outside its team goal's time frame"),
            checks=N_("Each individual goal's time frame lies within the time frame of every team goal it supports: it "
                      "ends no later, and starts no earlier. A goal with only a due date has no known start, so only its "
                      "end is compared."),
            why=N_("A salesperson's goal that ends after the team goal it supports comes too late to count; one that "
                   "starts before it measures work the team goal does not include."),
            fix=N_("give the individual goal the team goal's period, or dates within it"))
def _goal_outside_parent_time_frame(plan: Plan, team: Team) -> Iterator[Hit]:
    for i, person in enumerate(team.people):
        for j, goal in enumerate(person.goals):
            frame = goal.time_frame()
            if frame is None:
                continue
            for parent_team, parent in _supported(plan, goal):
                parent_frame = parent.time_frame()
                if parent_frame is None:
                    continue
                too_late = frame[1] > parent_frame[1]
                too_early = _starts(goal) and _starts(parent) and frame[0] < parent_frame[0]
                if too_late or too_early:
                    message = (N_("individual goal '%(goal)s' of %(person)s (%(frame)s) ends after team goal "
                                  "'%(parent)s' it supports (%(parent_frame)s)") if too_late else
                               N_("individual goal '%(goal)s' of %(person)s (%(frame)s) starts before team goal "
                                  "'%(parent)s' it supports (%(parent_frame)s)"))
                    says = say(message, goal=goal.id, person=clip(person.name), frame=_frame_text(goal),
                               parent=parent.id, parent_frame=_frame_text(parent))
                    yield Hit(Located(team_file(team.id), ("people", i, "goals", j, _time_field(goal))), says,
                              _goal(team, goal, person), _objectives_of(parent),
                              tuple(dict.fromkeys((team.id, parent_team.id))))


def _starts(goal: Measure) -> bool:
    """Whether a goal's start is known: a quarter, or a start date (a due date alone has none)."""
    return goal.period is not None or goal.start is not None


def _time_field(goal: Measure) -> str:
    return "period" if goal.period is not None else "due"


def _frame_text(goal: Measure) -> str | Phrase:
    """'2026-Q4', '2026-10-15 – 2026-12-18' or 'due 2026-11-30': the time frame as the plan gave it."""
    return time_frame_said(goal.period, goal.start, goal.due, days=False)


def _weight_problem(goals: tuple[Measure, ...], whose: str | Phrase) -> tuple[int, Phrase] | None:
    """Index of the goal to point at and what is wrong, if some of these goals are weighted and it does not add up."""
    weighted = [g.weight for g in goals if g.weight is not None]
    if not weighted:
        return None
    if len(weighted) < len(goals):
        first = next(i for i, g in enumerate(goals) if g.weight is None)
        return first, say_plural("%(num)s of the %(count)s goals of %(whose)s has a weight; goal '%(goal)s' has none",
                                 "%(num)s of the %(count)s goals of %(whose)s have a weight; goal '%(goal)s' has none",
                                 len(weighted), count=len(goals), whose=whose, goal=goals[first].id)
    total = sum(weighted)
    if abs(total - 100) > TOLERANCE:
        return 0, say("the weights of the goals of %(whose)s add up to %(total)s%%, not 100%%", whose=whose,
                      total=float(total))
    return None


@_team_rule("weights-do-not-add-up", "error", 4, N_("Goal weights do not add up to 100%"),
            checks=N_("Where a team's goals, or a person's individual goals, carry a `weight`, every one of them has a "
                      "weight and the weights add up to 100 (percent)."),
            why=N_("Weights say how much each goal counts, in reviews and often in pay. Weights that leave a goal out "
                   "or add up to more or less than 100% promise something the plan cannot keep."),
            fix=N_("give every goal a 'weight:' and make the weights add up to 100, or remove all of them"))
def _weights_do_not_add_up(plan: Plan, team: Team) -> Iterator[Hit]:
    problem = _weight_problem(team.goals, say("team '%(team)s'", team=team.id))
    if problem is not None:
        index, message = problem
        yield Hit(Located(team_file(team.id), ("goals", index, "weight")), message, _team(team),
                  _team_objectives(team), (team.id,))
    for i, person in enumerate(team.people):
        problem = _weight_problem(person.goals, clip(person.name))
        if problem is not None:
            index, message = problem
            yield Hit(Located(team_file(team.id), ("people", i, "goals", index, "weight")), message,
                      _person(team, person),
                      tuple(dict.fromkeys(o for g in person.goals for o in _objectives_supported(plan, g))),
                      (team.id,))


def _coverage(team: Team, field: str) -> Iterator[Hit]:
    """Territories or segments a team lists that no member covers."""
    covered = {value for person in team.people for value in _person_values(person, field)}
    for k, value in enumerate(getattr(team, field)):
        if value not in covered:
            if field == "territories":
                says = say("territory %(value)s of team '%(team)s' has no one assigned", value=excerpt(value),
                           team=team.id)
                advice = say("set 'territory: %(value)s' on the person who covers it, or remove it from the team's "
                             "'territories:'", value=clip(value))
            else:
                says = say("segment %(value)s of team '%(team)s' has no one assigned", value=excerpt(value),
                           team=team.id)
                advice = say("add %(value)s to the 'segments:' of the person who covers it, or remove it from the "
                             "team's 'segments:'", value=excerpt(value))
            yield Hit(Located(team_file(team.id), (field, k)), says, _team(team), teams=(team.id,), advice=advice)


def _person_values(person: Person, field: str) -> tuple[str, ...]:
    if field == "territories":
        return (person.territory,) if person.territory else ()
    return person.segments


@_team_rule("unassigned-territory", "warning", 4, N_("A team's territory has no one assigned"),
            checks=N_("Every territory listed under a team's `territories` is some member's `territory`."),
            why=N_("A territory nobody covers has no goals and no salesperson: its customers are left to chance."),
            fix=N_("set 'territory:' on the person who covers it, or remove it from the team's territories"))
def _unassigned_territory(plan: Plan, team: Team) -> Iterator[Hit]:
    return _coverage(team, "territories")


@_team_rule("unassigned-segment", "warning", 4, N_("A team's market segment has no one assigned"),
            checks=N_("Every segment listed under a team's `segments` is in some member's `segments`."),
            why=N_("A market segment nobody covers gets no customized goals, so the team's plan for it is empty."),
            fix=N_("add it to the 'segments:' of the person who covers it, or remove it from the team's segments"))
def _unassigned_segment(plan: Plan, team: Team) -> Iterator[Hit]:
    return _coverage(team, "segments")


@_team_rule("unlisted-territory-or-segment", "warning", 4,
            N_("A person covers a territory or segment their team does not list"),
            checks=N_("Where a team lists `territories` (or `segments`), each member's territory (and segments) is one "
                      "of them. The team's lead is not checked: a lead often covers the whole region."),
            why=N_("Usually a spelling difference ('DACH' and 'Dach'): the territory then looks uncovered, and the "
                   "person's work is counted nowhere."),
            fix=N_("use the spelling of the team's list, or add the territory or segment to it"))
def _unlisted_territory_or_segment(plan: Plan, team: Team) -> Iterator[Hit]:
    for i, person in enumerate(team.people):
        if person.id == team.lead:
            continue
        checks = []
        if team.territories and person.territory and person.territory not in team.territories:
            checks.append((("people", i, "territory"), N_("%(person)s's territory %(value)s is not in the territory "
                                                          "list of team '%(team)s'"),
                           person.territory, team.territories))
        if team.segments:
            checks += [(("people", i, "segments", k), N_("%(person)s's segment %(value)s is not in the segment list "
                                                         "of team '%(team)s'"),
                        value, team.segments)
                       for k, value in enumerate(person.segments) if value not in team.segments]
        for path, message, value, listed in checks:
            advice = _did_you_mean(value, listed) or say("add %(value)s to the team's list, or use one of: %(listed)s",
                                                         value=excerpt(value), listed=", ".join(clip(v) for v in listed))
            yield Hit(Located(team_file(team.id), path),
                      say(message, person=clip(person.name), value=excerpt(value), team=team.id),
                      _person(team, person), teams=(team.id,), advice=advice)


# ---------------------------------------------------------------- 5. review and adaptation


def _previous_period(period: str) -> str:
    start, _ = period_bounds(period)
    year, quarter = start.year, (start.month - 1) // 3 + 1
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"


@_rule("no-recent-review", "warning", 5, N_("No review within the last quarter"),
       checks=N_("The plan has a review of the quarter before its period, or of a later quarter. (Reviews are named "
                 "by the quarter they review; the plan for 2026-Q4 is set at the review of 2026-Q3.)"),
       why=N_("Markets evolve, and so should goals. A plan not reviewed in the last quarter has not been adapted to "
              "what was learned in it."),
       fix=N_("record the last quarter's review, with its decisions and goal changes, in reviews/ (a file named by "
              "the quarter, like reviews/2026-Q3.yaml)"))
def _no_recent_review(plan: Plan) -> Iterator[Hit]:
    last = _previous_period(plan.organization.period)
    if plan.reviews and plan.reviews[0].period >= last:
        return
    subject = Subject(say("Review history"), urls.REVIEWS)
    advice = say("record the review of %(last)s in reviews/%(last)s.yaml", last=last)
    if plan.reviews:
        newest = plan.reviews[0]
        yield Hit(Located(review_file(newest.period), ("date",)),
                  say("the newest review is of %(newest)s; the plan for %(period)s has no review of %(last)s or later",
                      newest=newest.period, period=plan.organization.period, last=last), subject, advice=advice)
    else:
        yield Hit(Located(ORGANIZATION_FILE, ("period",)),
                  say("the plan for %(period)s has no review at all; the last one should be of %(last)s",
                      period=plan.organization.period, last=last), subject, advice=advice)


@_rule("decision-names-unknown-goal", "error", 5, N_("A review decision names a goal that does not exist"),
       checks=N_("Every goal a review decision names is in the plan, was known by that id before it was renamed "
                 "(`formerly:`), or was retired (in `retired.yaml`, or in a review's changes with `field: retired`)."),
       why=N_("Reviews are the plan's history, and history may name goals that were later retired; that is "
              "recorded. A name that matches nothing is a typo or an unrecorded retirement, and the decision's "
              "link leads nowhere."),
       fix=N_("correct the goal id, or record the goal's retirement in a review's changes with 'field: retired'"))
def _decision_names_unknown_goal(plan: Plan) -> Iterator[Hit]:
    known = plan.ids("goal")
    retired = {c.goal for review in plan.reviews for c in review.changes if c.field is ChangeField.retired}
    retired |= lineage.of(plan).published_ids("goal")
    for review in plan.reviews:
        for i, decision in enumerate(review.decisions):
            for j, goal_id in enumerate(decision.goals):
                if goal_id not in known and goal_id not in retired:
                    close = close_to(goal_id, known)
                    advice = (say("did you mean %(names)s? goals are defined in the teams' 'goals:' lists; a retired "
                                  "goal is recorded in a review's changes with 'field: retired'",
                                  names=_names(close, "or")) if close else
                              say("goals are defined in the teams' 'goals:' lists; a retired goal is recorded in a "
                                  "review's changes with 'field: retired'"))
                    yield Hit(Located(review_file(review.period), ("decisions", i, "goals", j)),
                              say("decision %(number)s of the %(period)s review names goal '%(goal)s', which is not in "
                                  "the plan", number=i + 1, period=review.period, goal=goal_id),
                              Subject(say("%(period)s review", period=review.period), urls.review_page(review.period)),
                              advice=advice)


@_rule("missing-as-of", "info", 5, N_("Current values without an as-of date"),
       checks=N_("A plan that gives `current` values also gives `as_of` in organization.yaml: the day they were "
                 "measured."),
       why=N_("Status compares progress with the part of the time frame that has passed, which needs a date. "
              "Without `as_of` the handbook judges as if the plan's period were over, which is right only at "
              "the quarter's end."),
       fix=N_("add 'as_of: YYYY-MM-DD' to organization.yaml with the day the current values were measured"))
def _missing_as_of(plan: Plan) -> Iterator[Hit]:
    if plan.organization.as_of is not None:
        return
    measured = any(m.current is not None for o in plan.objectives for m in o.key_metrics)
    measured = measured or any(g.current is not None for team in plan.teams for _, _, g in _team_goals(team))
    if measured:
        _, end = period_bounds(plan.organization.period)
        yield Hit(Located(ORGANIZATION_FILE, ("period",)),
                  say("the plan gives current values but no 'as_of' date: status is judged as of %(end)s, the last day "
                      "of %(period)s", end=end, period=plan.organization.period), Subject(say("Progress"), urls.PROGRESS))


_DISAGREEING = {Confidence.low: Status.on_track, Confidence.high: Status.off_track}
"""The confidence that contradicts a status: low while the numbers are on track, high while they are off track.

Medium and at risk contradict nothing: both say "not sure", so they agree with every status and each other."""

_DISAGREEMENTS = {
    Confidence.low: N_("%(subject)s is on track, but its owner's confidence is low"),
    Confidence.high: N_("%(subject)s is off track, but its owner's confidence is high"),
}

_DISAGREEMENT_HINTS = {
    Confidence.low: say("ask the owner what the numbers do not show yet (a deal slipping, a launch late) and say it "
                        "in 'note:'; if the worry has passed, raise 'confidence:' at the next check-in"),
    Confidence.high: say("ask the owner what the numbers do not show yet (a large deal about to close?) and say it in "
                         "'note:'; if nothing will make up the gap, lower 'confidence:' or adapt the goal at the "
                         "review"),
}


def _disagrees(plan: Plan, measure: Measure | KeyMetric) -> bool:
    """Whether the owner's confidence contradicts the status (`_DISAGREEING`)."""
    confidence = measure.confidence
    if confidence is None or confidence is Confidence.medium:  # first: most numbers carry no confidence
        return False
    return assess_measure(plan, measure).status is _DISAGREEING[confidence]


def _key_metric_confidence(plan: Plan) -> Iterator[Hit]:
    for i, objective in enumerate(plan.objectives):
        for k, metric in enumerate(objective.key_metrics):
            if _disagrees(plan, metric):
                name = say("key metric '%(metric)s' of objective '%(objective)s'", metric=metric.id,
                           objective=objective.id)
                yield Hit(Located(OBJECTIVES_FILE, ("objectives", i, "key_metrics", k, "confidence")),
                          say(_DISAGREEMENTS[metric.confidence], subject=name),  # type: ignore[index]
                          Subject(metric.name, urls.objective_page(objective.id)), (objective.id,),
                          advice=_DISAGREEMENT_HINTS[metric.confidence])  # type: ignore[index]


@_team_rule("confidence-disagrees", "info", 5, N_("The owner's confidence disagrees with the status"),
            checks=N_("No goal, individual goal or key metric is on track while its owner's `confidence` is `low`, "
                      "or off track while it is `high`. Medium confidence and the status at risk disagree with "
                      "nothing."),
            why=N_("Status is arithmetic on the numbers so far; the owner knows the pipeline behind them. When the "
                   "two disagree, one of them knows something the other does not: that is what a check-in is for. "
                   "It is information, not a fault: an honest low confidence must never fail a strict check."),
            fix=N_("ask the owner what the numbers do not show and say it in 'note:', or bring 'confidence:' up to "
                   "date"),
            elsewhere=_key_metric_confidence)
def _confidence_disagrees(plan: Plan, team: Team) -> Iterator[Hit]:
    for person, path, goal in _team_goals(team):
        if _disagrees(plan, goal):
            yield _goal_hit(plan, team, person, (*path, "confidence"), goal,
                            say(_DISAGREEMENTS[goal.confidence], subject=_goal_name(goal, person)),  # type: ignore[index]
                            _DISAGREEMENT_HINTS[goal.confidence])  # type: ignore[index]
