"""A synthetic plan of any size, for benchmarks: valid under the real schema, the same for the same seed.

Each team has 10 goals and 5 salespeople with 3 individual goals each; the
plan has 40 objectives and 8 reviews. Teams spread over every department
(most of them in sales, as in a large sales organization), goals serve one
or two objectives and name collaborating teams, and individual goals
support goals of their own team and sometimes of another one, so every page
kind and every cross-reference the handbook draws is exercised.

The plan is as well aligned as a real one that is looked after: individual
goals end within the team goals they support, and a team named as a
collaborator has someone supporting the goal. About one in a hundred of
those links is left flawed (FLAW_RATE), so the health page and the rule
pages have real findings to show, in the proportion a large plan has them.

With history (`write_with_history`), the folder holding the plan is a git
repository of HISTORY_QUARTERS quarterly check-ins: each commit sets `as_of` to
a quarter's last day and every `current` part of the way from its baseline to
today's value, with a confidence on every fifth number and a note on every
twentieth; the last commit is the plan itself. Builds then read 8 quarters of
values over time, as a plan kept in git for two years has them.

Run `python -m bench.synthetic DIR --teams 1000 --seed 1 [--history]` to write one.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import random
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import yaml

GOALS_PER_TEAM = 10
PEOPLE_PER_TEAM = 5
GOALS_PER_PERSON = 3
OBJECTIVES = 40
REVIEWS = 8
PLAN_PERIOD = "2026-Q4"
AS_OF = "2026-11-20"
FLAW_RATE = 0.01
HISTORY_QUARTERS = 8
"""Check-ins in git with history: seven quarter ends before the plan's quarter, and the plan's own as_of."""
"""Share of individual goals that end after a goal they support, and of collaborations nobody supports."""

CITIES = (
    "Aarhus", "Accra", "Adelaide", "Amsterdam", "Antwerp", "Athens", "Atlanta", "Auckland", "Austin",
    "Baltimore", "Bangalore", "Barcelona", "Basel", "Belgrade", "Bergen", "Berlin", "Bilbao", "Bogotá",
    "Bologna", "Bordeaux", "Boston", "Bratislava", "Brisbane", "Bristol", "Brno", "Brussels", "Bucharest",
    "Budapest", "Buenos Aires", "Cairo", "Calgary", "Cape Town", "Cardiff", "Casablanca", "Chicago",
    "Cologne", "Copenhagen", "Cork", "Dallas", "Delhi", "Denver", "Detroit", "Dortmund", "Dresden", "Dubai",
    "Dublin", "Durban", "Edinburgh", "Eindhoven", "Espoo", "Florence", "Frankfurt", "Gdańsk", "Geneva",
    "Genoa", "Ghent", "Glasgow", "Gothenburg", "Graz", "Guadalajara", "Hamburg", "Hanover", "Helsinki",
    "Houston", "Istanbul", "Jakarta", "Johannesburg", "Kraków", "Kyiv", "Lagos", "Leeds", "Leipzig", "Lille",
    "Lima", "Lisbon", "Ljubljana", "London", "Lyon", "Madrid", "Malmö", "Manchester", "Marseille",
    "Melbourne", "Mexico City", "Miami", "Milan", "Montreal", "Mumbai", "Munich", "Nairobi", "Nantes",
    "Naples", "Nice", "Oslo", "Ottawa", "Oulu", "Porto", "Prague", "Riga", "Rotterdam", "Santiago",
    "São Paulo", "Seattle", "Seoul", "Seville", "Singapore", "Sofia", "Stockholm", "Stuttgart", "Sydney",
    "Tallinn", "Tampere", "Toronto", "Toulouse", "Turin", "Utrecht", "Valencia", "Vancouver", "Vienna",
    "Vilnius", "Warsaw", "Wellington", "Zagreb", "Zürich",
)
QUALIFIERS = ("", "North", "South", "East", "West", "Central")
"""With the cities, enough distinct names for several thousand teams."""

SPECIALTIES = (
    # (name, department, share of teams)
    ("Enterprise Sales", "sales", 3), ("Mid-Market Sales", "sales", 3), ("Inside Sales", "sales", 2),
    ("Partner Sales", "sales", 1), ("Field Marketing", "marketing", 1), ("Customer Success", "customer-service", 1),
    ("Solutions Engineering", "product", 1), ("Revenue Operations", "operations", 1),
)
FIRST_NAMES = ("Ada", "Ben", "Chloé", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kemal", "Lena",
               "Mateo", "Nia", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tove", "Uma", "Viktor", "Wen", "Yara")
LAST_NAMES = ("Adeyemi", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ivanova", "Jensen",
              "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Virtanen")
CATEGORIES = ("growth", "customer-satisfaction", "innovation", "market-expansion", "efficiency", "people")
METRICS = (  # (metric, unit, baseline, target)
    ("revenue", "kEUR", 400, 600), ("customers", "customers", 10, 18), ("units-sold", "units", 200, 320),
    ("retention", "%", 88, 93), ("market-share", "%", 6, 8), ("product-penetration", "%", 20, 35),
    ("satisfaction", "NPS", 30, 42),
)


class _Dumper(yaml.CSafeDumper):
    """Writes every value out in full: the plan reader rejects anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def slug(text: str) -> str:
    """An id from a name: 'São Paulo Inside Sales' -> 'sao-paulo-inside-sales'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def team_names(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """`count` distinct (team name, department, city) triples, specialties in their shares."""
    candidates = {
        name: rng.sample([(city, qualifier) for city in CITIES for qualifier in QUALIFIERS],
                         len(CITIES) * len(QUALIFIERS))
        for name, _, _ in SPECIALTIES
    }
    weights = [share for _, _, share in SPECIALTIES]
    found = []
    while len(found) < count:
        name, department, _ = rng.choices(SPECIALTIES, weights)[0]
        if not candidates[name]:
            if not any(candidates.values()):
                raise ValueError(f"at most {len(found)} synthetic teams, asked for {count}")
            continue
        city, qualifier = candidates[name].pop()
        found.append((" ".join(filter(None, (city, name, qualifier))), department, city))
    return found


def objectives(rng: random.Random) -> list[dict[str, Any]]:
    """The plan's 40 objectives, each with two key metrics."""
    found = []
    for i in range(OBJECTIVES):
        category = CATEGORIES[i % len(CATEGORIES)]
        found.append({
            "id": f"objective-{i + 1:02d}",
            "title": f"{category.replace('-', ' ').capitalize()} objective {i + 1}",
            "category": category,
            "owner": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, VP",
            "description": f"Objective {i + 1} of the synthetic plan: move its two key metrics by the end of "
                           f"{PLAN_PERIOD}, with every team whose goals serve it.",
            "key_metrics": [
                {"id": f"metric-{j + 1}", "name": f"Key metric {j + 1}", "unit": "%",
                 "baseline": 40 + j, "target": 60 + j, "current": rng.randint(40, 60), "direction": "increase"}
                for j in range(2)
            ],
        })
    return found


def measure(rng: random.Random, goal_id: str, title: str) -> dict[str, Any]:
    """The fields every goal has: a metric with baseline, target, current value and time frame."""
    metric, unit, baseline, target = rng.choice(METRICS)
    found: dict[str, Any] = {"id": goal_id, "title": title, "metric": metric, "unit": unit,
                             "baseline": baseline, "target": target,
                             "current": rng.randint(baseline, target)}
    if rng.random() < 0.8:
        found["period"] = PLAN_PERIOD
    else:
        found["due"] = dt.date(2026, 11, rng.randint(1, 30)).isoformat()
    return found


def team(rng: random.Random, team_id: str, name: str, department: str, city: str, others: list[str],
         objective_ids: list[str]) -> dict[str, Any]:
    """One team file: 10 goals serving objectives, 5 salespeople with 3 individual goals each."""
    people_ids = [f"{team_id}-p{j + 1}" for j in range(PEOPLE_PER_TEAM)]
    goal_ids = [f"{team_id}-g{i + 1:02d}" for i in range(GOALS_PER_TEAM)]
    goals = []
    for i, goal_id in enumerate(goal_ids):
        goal = measure(rng, goal_id, f"{name}: goal {i + 1}")
        goal["owner"] = rng.choice(people_ids)
        if others and rng.random() < 0.3:
            goal["collaborators"] = sorted(set(rng.sample(others, min(len(others), rng.randint(1, 2)))))
        goal["aligns_to"] = [{"objective": objective, "why": f"Goal {i + 1} of {name} moves this objective."}
                             for objective in rng.sample(objective_ids, rng.randint(1, 2))]
        goals.append(goal)
    people = []
    for j, person_id in enumerate(people_ids):
        person: dict[str, Any] = {
            "id": person_id,
            "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "role": "Sales lead" if j == 0 else "Account executive",
            "territory": city,
            "segments": rng.sample(["manufacturing", "retail", "logistics", "healthcare", "utilities"], 2),
            "goals": [],
        }
        for k in range(GOALS_PER_PERSON):
            individual = measure(rng, f"{person_id}-g{k + 1}", f"{person['name']}: individual goal {k + 1}")
            individual["supports"] = sorted(set(rng.sample(goal_ids, rng.randint(1, 2))))
            person["goals"].append(individual)
        people.append(person)
    return {"name": name, "department": department, "lead": people_ids[0],
            "description": f"The {name} team, one of the synthetic plan's teams.",
            "goals": goals, "people": people}


def link_across_teams(rng: random.Random, teams: dict[str, dict[str, Any]]) -> None:
    """Let one individual goal in ten also support a goal of another team, as overlay work does."""
    all_goals = [g["id"] for t in teams.values() for g in t["goals"]]
    for team_data in teams.values():
        for person in team_data["people"]:
            for individual in person["goals"]:
                if rng.random() < 0.1:
                    individual["supports"] = sorted({*individual["supports"], rng.choice(all_goals)})


def support_collaborations(rng: random.Random, teams: dict[str, dict[str, Any]], flaw_rate: float) -> None:
    """Give each collaborating team someone whose individual goal supports the goal it collaborates on."""
    for team_data in teams.values():
        for goal in team_data["goals"]:
            for partner in goal.get("collaborators", ()):
                if rng.random() < flaw_rate:
                    continue
                individual = rng.choice(rng.choice(teams[partner]["people"])["goals"])
                individual["supports"] = sorted({*individual["supports"], goal["id"]})


def fit_time_frames(rng: random.Random, teams: dict[str, dict[str, Any]], flaw_rate: float) -> None:
    """Make each individual goal end when the earliest team goal it supports ends (a few end later: flaws)."""
    dues = {g["id"]: g.get("due") for t in teams.values() for g in t["goals"]}
    for team_data in teams.values():
        for person in team_data["people"]:
            for individual in person["goals"]:
                individual.pop("period", None)
                individual.pop("due", None)
                ends = sorted(due for due in (dues[g] for g in individual["supports"]) if due is not None)
                if ends and rng.random() < flaw_rate:
                    individual["due"] = f"{PLAN_PERIOD[:4]}-12-31"
                elif ends:
                    individual["due"] = ends[0]
                else:
                    individual["period"] = PLAN_PERIOD


def reviews(rng: random.Random, goal_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Eight quarterly reviews before the plan's quarter, each deciding on and changing a few goals."""
    found = {}
    for i in range(REVIEWS):
        year, quarter = divmod(2026 * 4 + 2 - i, 4)  # 2026-Q3, 2026-Q2, ... back two years
        period = f"{year}-Q{quarter + 1}"
        held = dt.date(year + (quarter == 3), (3 * (quarter + 1)) % 12 + 1, 6)
        changed = rng.sample(goal_ids, min(len(goal_ids), 6))
        found[period] = {
            "date": held.isoformat(),
            "participants": [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(6)],
            "summary": f"The {period} review: what went well, what did not, and the plan for the next quarter.",
            "decisions": [{"text": f"Decision {d + 1} of the {period} review.", "goals": changed[d * 2: d * 2 + 2]}
                          for d in range(3)],
            "changes": [{"goal": goal_id, "field": "target", "from": "500", "to": "600",
                         "reason": "The pipeline covers a higher target."} for goal_id in changed],
        }
    return found


def plan_files(teams: int, seed: int = 1, flaw_rate: float = FLAW_RATE) -> dict[str, dict[str, Any]]:
    """Every file of a synthetic plan as data, keyed by its path in the plan folder."""
    rng = random.Random(seed)
    objective_list = objectives(rng)
    objective_ids = [o["id"] for o in objective_list]
    names = team_names(teams, rng)
    ids = [slug(name) for name, _, _ in names]
    team_data = {
        team_id: team(rng, team_id, name, department, city, [t for t in ids if t != team_id], objective_ids)
        for team_id, (name, department, city) in zip(ids, names, strict=True)
    }
    link_across_teams(rng, team_data)
    support_collaborations(rng, team_data, flaw_rate)
    fit_time_frames(rng, team_data, flaw_rate)
    files: dict[str, dict[str, Any]] = {
        "organization.yaml": {
            "name": f"Synthetic {teams} Teams Inc.",
            "tagline": "A plan made up for benchmarks.",
            "mission": "Help every customer run their operations with fewer surprises.",
            "vision": "Every team knows which objective each of its goals serves.",
            "period": PLAN_PERIOD,
            "as_of": AS_OF,
            "values": ["Customers keep the score.", "Say the number."],
        },
        "objectives.yaml": {"objectives": objective_list},
        "benefits.yaml": {"benefits": [
            {"id": "focus", "title": "Focus and clarity", "description": "Effort goes to what moves objectives.",
             "evidence": [{"objective": objective_ids[0], "metric": "metric-1"}]},
            {"id": "collaboration", "title": "Improved collaboration",
             "description": "Goals name the teams they need.", "evidence": [{"objective": objective_ids[1]}]},
        ]},
    }
    files.update({f"teams/{team_id}.yaml": data for team_id, data in team_data.items()})
    goal_ids = [g["id"] for t in team_data.values() for g in t["goals"]]
    files.update({f"reviews/{period}.yaml": data for period, data in reviews(rng, goal_ids).items()})
    return files


def write_plan(folder: Path, teams: int, seed: int = 1, flaw_rate: float = FLAW_RATE) -> Path:
    """Write a synthetic plan into `folder` (replacing what is there); return the folder."""
    if folder.exists():
        shutil.rmtree(folder)
    _write_files(folder, plan_files(teams, seed, flaw_rate))
    return folder


def _write_files(folder: Path, files: dict[str, dict[str, Any]]) -> None:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100),
                        encoding="utf-8")


def _quarter_ends(count: int) -> list[str]:
    """The last days of the `count` quarters before PLAN_PERIOD, oldest first."""
    year, quarter = int(PLAN_PERIOD[:4]), int(PLAN_PERIOD[-1])
    ends = []
    for _ in range(count):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        month = quarter * 3
        ends.append((dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).isoformat())
    return ends[::-1]


def _checked_in(files: dict[str, dict[str, Any]], share: float, as_of: str, rng: random.Random) -> dict[str, Any]:
    """The plan files as an earlier check-in had them: every current `share` of the way from its baseline."""
    earlier = copy.deepcopy(files)
    earlier["organization.yaml"]["as_of"] = as_of
    numbers = [m for o in earlier["objectives.yaml"]["objectives"] for m in o["key_metrics"]]
    for rel, data in earlier.items():
        if rel.startswith("teams/"):
            numbers += data["goals"] + [g for person in data["people"] for g in person.get("goals", [])]
    for i, number in enumerate(numbers):
        if "current" in number:
            number["current"] = round(number["baseline"] + (number["current"] - number["baseline"]) * share)
        if i % 5 == 0:
            number["confidence"] = rng.choice(("high", "medium", "low"))
        if i % 20 == 0:
            number["note"] = f"Check-in of {as_of}: on the way."
    return earlier


def write_with_history(repo: Path, teams: int, seed: int = 1, quarters: int = HISTORY_QUARTERS) -> Path:
    """`repo/plan` as `write_plan` writes it, `repo` a git repository of `quarters` check-ins of it (see
    the module notes); an existing repository there is replaced. Returns the plan folder."""
    plan_dir = repo / "plan"
    shutil.rmtree(repo / ".git", ignore_errors=True)
    if plan_dir.exists():
        shutil.rmtree(plan_dir)
    files = plan_files(teams, seed)
    rng = random.Random(seed)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)

    repo.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main")
    ends = _quarter_ends(quarters - 1)
    for number, as_of in enumerate(ends, start=1):
        _write_files(plan_dir, _checked_in(files, number / quarters, as_of, rng))
        git("add", "plan")
        git("commit", "-q", "-m", f"Check-in of {as_of}")
    _write_files(plan_dir, files)
    git("add", "plan")
    git("commit", "-q", "-m", f"Check-in of {AS_OF}")
    return plan_dir


def main() -> None:
    """Command line: write a synthetic plan of the given size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--flaw-rate", type=float, default=FLAW_RATE,
                        help="share of links left flawed, for rule findings (default %(default)s; 1 flags nearly all)")
    parser.add_argument("--history", action="store_true",
                        help=f"write FOLDER/plan in a git repository FOLDER of {HISTORY_QUARTERS} quarterly check-ins")
    args = parser.parse_args()
    if args.history:
        write_with_history(args.folder, args.teams, args.seed)
    else:
        write_plan(args.folder, args.teams, args.seed, args.flaw_rate)


if __name__ == "__main__":
    main()
