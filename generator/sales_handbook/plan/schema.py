"""The typed, immutable model of a plan: what each YAML file may contain.

Every class here mirrors one shape in `plan/`. Models are frozen and forbid
unknown fields, so a typo in a plan is an error, never a silently ignored key.
Nothing downstream of the loader sees YAML: only these models.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import Enum
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from sales_handbook.plan import language as _language
from sales_handbook.plan.diagnostics import excerpt


ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_ID_LENGTH = 100
"""Ids become folder names (`goals/<id>/`), which file systems limit to 255 bytes."""
MIN_YEAR, MAX_YEAR = 1900, 2999
"""The years a plan's quarters and dates may name: far beyond any plan, and well inside what dates can compute."""
PERIOD_PATTERN = r"^(\d{4})-Q([1-4])$"

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Characters plan text may not hold: invisible, and used by Markdown engines as placeholders."""

_ID_RE = re.compile(ID_PATTERN)
_PERIOD_RE = re.compile(PERIOD_PATTERN)


def id_problem(value: str) -> str | None:
    """What is wrong with an id, or None: the one wording for ids in files and file names."""
    if not _ID_RE.fullmatch(value):
        return (f"malformed id {excerpt(value)}: ids are lowercase letters and digits joined by single hyphens "
                "(like 'emea-new-logos'); they become URLs, so they never change with titles")
    if len(value) > MAX_ID_LENGTH:
        return (f"id is {len(value)} characters long, over the limit of {MAX_ID_LENGTH}: ids become URLs "
                "and folder names, so choose a shorter one")
    return None


def period_problem(value: str) -> str | None:
    """What is wrong with a quarter like '2026-Q4', or None."""
    match = _PERIOD_RE.fullmatch(value)
    if not match:
        return f"malformed period {excerpt(value)}: write a quarter as YYYY-QN, like '2026-Q4'"
    if not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        return (f"period {value!r} is outside the years a plan can name ({MIN_YEAR} to {MAX_YEAR}): "
                "write the quarter the plan means, like '2026-Q4'")
    return None


def _refusing(problem_of: Callable[[str], str | None]) -> Callable[[str], str]:
    """A validator from a function that says what is wrong with a value: the value back, or its problem raised."""
    def check(value: str) -> str:
        problem = problem_of(value)
        if problem:
            raise ValueError(problem)
        return value

    return check


_check_id = _refusing(id_problem)
_check_language = _refusing(_language.tag_problem)
_check_period = _refusing(period_problem)


def _check_when(value: str) -> str:
    if _PERIOD_RE.fullmatch(value):
        return value
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            _check_date(dt.date.fromisoformat(value))
        except ValueError as error:
            raise ValueError(f"invalid date {value!r}: {error}") from None
        return value
    raise ValueError(f"malformed time {excerpt(value)}: write a quarter like '2026-Q4' or a date like '2026-10-06'")


def _check_date(value: dt.date) -> dt.date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"year {value.year} is outside the years a plan can name ({MIN_YEAR} to {MAX_YEAR}): "
                         "write the date the plan means, like 2026-12-31")
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("this text is empty: write something, or leave the field out if it is optional")
    return value


# WithJsonSchema: what the checks mean, for the JSON Schema editors validate against (`plan.jsonschema`).
Id = Annotated[str, AfterValidator(_check_id), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]
Period = Annotated[str, AfterValidator(_check_period), WithJsonSchema({"type": "string", "pattern": PERIOD_PATTERN})]
Language = Annotated[str, AfterValidator(_check_language), WithJsonSchema(
    {"type": "string", "pattern": _language.TAG_PATTERN})]
Text = Annotated[str, AfterValidator(_check_text), WithJsonSchema({"type": "string", "pattern": r"\S"})]
Date = Annotated[dt.date, AfterValidator(_check_date)]
When = Annotated[str, AfterValidator(_check_when), WithJsonSchema(
    {"type": "string", "pattern": r"^(\d{4}-Q[1-4]|\d{4}-\d{2}-\d{2})$"})]
"""A quarter ('2026-Q4') or a date ('2026-10-06'), kept as written."""
Formerly = tuple[Id, ...]
"""Ids an item was published under before it was renamed: their URLs keep leading to it."""


@lru_cache(maxsize=256)
def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter such as '2026-Q4'.

    Cached: every goal's time frame and status asks, a few plan quarters are all there are.
    """
    match = _PERIOD_RE.fullmatch(period)
    if match is None:
        raise ValueError(f"malformed period {period!r}")
    year, quarter = int(match[1]), int(match[2])
    start = dt.date(year, 3 * quarter - 2, 1)
    end_month_next = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, end_month_next - dt.timedelta(days=1)


def time_frame_said(period: str | None, start: dt.date | None, due: dt.date | None, *,
                    days: bool) -> str | _language.Phrase:
    """A goal's time frame as the handbook says it: its quarter (with `days`, also its first and last day), a
    start and due date, a due date, or 'not time-bound'. One wording for pages and findings alike."""
    if period is not None:
        if not days:
            return period
        first, last = period_bounds(period)
        return _language.say("%(period)s (%(first)s – %(last)s)", period=period, first=first, last=last)
    if due is None:
        return _language.say("not time-bound")
    if start is not None:
        return _language.say("%(start)s – %(due)s", start=start, due=due)
    return _language.say("due %(date)s", date=due)

class Model(BaseModel):
    """Base of every plan model: immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False, allow_inf_nan=False)


class Category(str, Enum):
    """What kind of organizational objective this is (the domain article's four, plus two)."""

    growth = "growth"
    customer_satisfaction = "customer-satisfaction"
    innovation = "innovation"
    market_expansion = "market-expansion"
    efficiency = "efficiency"
    people = "people"


class Direction(str, Enum):
    """Which way a metric should move to count as progress."""

    increase = "increase"
    decrease = "decrease"
    stay_above = "stay-above"
    stay_below = "stay-below"


class Department(str, Enum):
    """The departments the handbook groups teams by."""

    sales = "sales"
    marketing = "marketing"
    product = "product"
    customer_service = "customer-service"
    finance = "finance"
    operations = "operations"
    people = "people"


class MetricKind(str, Enum):
    """What a goal measures; the article asks to look beyond revenue."""

    revenue = "revenue"
    customers = "customers"
    units_sold = "units-sold"
    retention = "retention"
    market_share = "market-share"
    product_penetration = "product-penetration"
    satisfaction = "satisfaction"
    custom = "custom"


class RuleGrade(str, Enum):
    """How an alignment rule's findings count: as errors, warnings, information, or not at all."""

    off = "off"
    error = "error"
    warning = "warning"
    info = "info"


class Settings(Model):
    """`settings:` in organization.yaml: how the plan wants its alignment rules graded.

    Rule ids are checked against the rules the handbook has (with 'did you mean')
    when the plan is loaded, since only the rule catalogue knows them.
    """

    rules: dict[Id, RuleGrade] = Field(default_factory=dict)


class Visibility(str, Enum):
    """Who may read an item: everyone, or only people inside the company.

    Internal items and every trace of them are left out of a public build
    (`sales_handbook.model.audience`); an internal build shows them with a marker.
    """

    public = "public"
    internal = "internal"


class Organization(Model):
    """`organization.yaml`: who we are and which quarter the plan is for."""

    name: Text
    tagline: Text | None = None
    mission: Text
    vision: Text
    period: Period
    as_of: Date | None = None
    """The day the plan's `current` values were measured; progress status is judged on it."""
    values: tuple[Text, ...] = ()
    language: Language = _language.DEFAULT
    """The language of every word the handbook adds (BCP 47: 'en', 'de', 'nb'); plan text stays as written."""
    settings: Settings = Settings()


class Confidence(str, Enum):
    """How sure a number's owner is that it will be met: their word, beside the status the handbook computes."""

    high = "high"
    medium = "medium"
    low = "low"


MAX_NOTE_LENGTH = 280
"""A check-in note is one or two sentences: the page shows it beside the number, not as prose."""


def _check_note(value: str) -> str:
    if len(value) > MAX_NOTE_LENGTH:
        raise ValueError(f"this note is {len(value)} characters long, over the limit of {MAX_NOTE_LENGTH}: "
                         "a check-in note says in a sentence or two why; put longer text in the description")
    return value


Note = Annotated[Text, AfterValidator(_check_note), WithJsonSchema(
    {"type": "string", "pattern": r"\S", "maxLength": MAX_NOTE_LENGTH})]


class CheckIn(Model):
    """Mixin fields: the owner's check-in on a number, given on the plan's `as_of` day."""

    confidence: Confidence | None = None
    """The owner's confidence that the target will be met; the rule `confidence-disagrees` compares it with the status."""
    note: Note | None = None
    """Why, in a sentence: what moved the number or the confidence since the last check-in."""


class KeyMetric(CheckIn):
    """A number that tells whether an objective is being met."""

    id: Id
    name: Text
    unit: Text
    baseline: float
    target: float
    current: float | None = None
    direction: Direction = Direction.increase
    visibility: Visibility = Visibility.public


class Objective(Model):
    """An organizational objective that goals serve."""

    id: Id
    title: Text
    category: Category
    owner: Text
    description: Text
    key_metrics: tuple[KeyMetric, ...] = Field(min_length=1)
    visibility: Visibility = Visibility.public
    formerly: Formerly = ()


class ObjectivesFile(Model):
    """`objectives.yaml`."""

    objectives: tuple[Objective, ...] = Field(min_length=1)


class TimeFrame(Model):
    """Mixin fields: a goal is due at the end of a quarter or on a date."""

    model_config = ConfigDict(json_schema_extra={"not": {"required": ["period", "due"]}})

    period: Period | None = None
    start: Date | None = None
    due: Date | None = None

    @model_validator(mode="after")
    def _one_time_frame(self) -> "TimeFrame":
        if self.period is not None and self.due is not None:
            raise ValueError("give either 'period' or 'due', not both: a goal has one time frame")
        if self.start is not None and self.due is not None and self.start > self.due:
            raise ValueError(f"'start' ({self.start}) is after 'due' ({self.due})")
        return self

    def time_frame(self) -> tuple[dt.date, dt.date] | None:
        """Start and end dates of the goal, if it is time-bound."""
        if self.period is not None:
            return period_bounds(self.period)
        if self.due is not None:
            return (self.start or self.due, self.due)
        return None


class Alignment(Model):
    """A goal's link to an objective it serves, with the reason in one line."""

    objective: Id
    why: Text


class Measure(TimeFrame, CheckIn):
    """What every goal has: a metric, a baseline, a target and progress.

    `target` and `unit` may be left out while a goal is being drafted: the
    alignment rule `goal-not-measurable` reports such a goal instead of the
    loader refusing the whole plan.
    """

    id: Id
    title: Text
    description: Text | None = None
    metric: MetricKind
    metric_name: Text | None = None
    unit: Text | None = None
    baseline: float
    target: float | None = None
    current: float | None = None
    direction: Direction = Direction.increase
    weight: float | None = Field(default=None, gt=0, le=100)
    """Share in percent of this goal among its team's goals (or its person's); weights add up to 100."""
    formerly: Formerly = ()

    @model_validator(mode="after")
    def _custom_needs_name(self) -> "Measure":
        if self.metric is MetricKind.custom and self.metric_name is None:
            raise ValueError("a goal with metric 'custom' needs 'metric_name' to say what is measured")
        return self


class Goal(Measure):
    """A team goal, linked to the objectives it serves."""

    owner: Id | None = None
    collaborators: tuple[Id, ...] = ()
    aligns_to: tuple[Alignment, ...] = ()
    visibility: Visibility = Visibility.public


class IndividualGoal(Measure):
    """A salesperson's own goal, supporting one or more team goals."""

    supports: tuple[Id, ...] = ()
    """Team goals this goal supports; an empty list is reported by the rule `individual-goal-without-team-goal`."""
    visibility: Visibility = Visibility.public


class Person(Model):
    """A member of a team; salespeople carry individual goals."""

    id: Id
    name: Text
    role: Text
    territory: Text | None = None
    segments: tuple[Text, ...] = ()
    strengths: tuple[Text, ...] = ()
    goals: tuple[IndividualGoal, ...] = ()
    visibility: Visibility = Visibility.public
    formerly: Formerly = ()


class TeamFile(Model):
    """`teams/<team-id>.yaml`: one team, owned by that team."""

    name: Text
    department: Department
    lead: Id
    description: Text | None = None
    territories: tuple[Text, ...] = ()
    """Territories the team covers; each should be some member's `territory`."""
    segments: tuple[Text, ...] = ()
    """Market segments the team covers; each should be in some member's `segments`."""
    goals: tuple[Goal, ...] = ()
    people: tuple[Person, ...] = ()
    visibility: Visibility = Visibility.public
    """`internal` makes the whole team internal: its page, goals and people."""
    formerly: Formerly = ()


class Team(TeamFile):
    """A team with its id, which is the stem of its file name.

    `lead` may be None here (never in a team file): a public build leaves out
    an internal lead, and the team page then names no lead.
    """

    id: Id
    lead: Id | None  # type: ignore[assignment]


class Evidence(Model):
    """What shows that a benefit is happening: an objective, optionally one of its metrics."""

    objective: Id
    metric: Id | None = None
    note: Text | None = None


class Benefit(Model):
    """A benefit the company expects from alignment."""

    id: Id
    title: Text
    description: Text
    evidence: tuple[Evidence, ...] = ()
    visibility: Visibility = Visibility.public


class BenefitsFile(Model):
    """`benefits.yaml`."""

    benefits: tuple[Benefit, ...] = ()


class ChangeField(str, Enum):
    """Which part of a goal a review changed."""

    title = "title"
    baseline = "baseline"
    target = "target"
    time_frame = "time-frame"
    aligns_to = "aligns-to"
    owner = "owner"
    team = "team"
    added = "added"
    retired = "retired"
    other = "other"


class GoalChange(Model):
    """One change a review made to a goal, and why."""

    goal: Id
    field: ChangeField
    before: Text | None = Field(default=None, alias="from")
    after: Text | None = Field(default=None, alias="to")
    reason: Text
    visibility: Visibility = Visibility.public

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False, allow_inf_nan=False)


class Decision(Model):
    """A decision taken in a review, optionally about some goals."""

    text: Text
    goals: tuple[Id, ...] = ()
    visibility: Visibility = Visibility.public


class ReviewFile(Model):
    """`reviews/<period>.yaml`: one quarterly review."""

    date: Date
    title: Text | None = None
    participants: tuple[Text, ...] = Field(min_length=1)
    summary: Text
    decisions: tuple[Decision, ...] = ()
    changes: tuple[GoalChange, ...] = ()
    visibility: Visibility = Visibility.public
    """`internal` makes the whole review internal: its page and its row in the history."""


class Review(ReviewFile):
    """A review with its period, which is the stem of its file name."""

    period: Period


class RetiredKind(str, Enum):
    """What kind of item left the plan: each kind has its own permanent URL."""

    goal = "goal"
    team = "team"
    objective = "objective"
    person = "person"


class Retirement(Model):
    """An item that left the plan: its old URL keeps a page saying when, why, and what replaced it."""

    kind: RetiredKind
    id: Id
    title: Text
    retired: When
    reason: Text
    successor: Id | None = None
    visibility: Visibility = Visibility.public
    """`internal` keeps the retirement page out of the public site (for an item that was never public)."""


class RetiredFile(Model):
    """`retired.yaml`: every item that ever left the plan; entries are never removed."""

    retired: tuple[Retirement, ...] = ()
