"""`handbook init`: a new company's handbook repository, from the starter files in `starter/` (Jinja templates).

It writes a small plan that passes `handbook check` and builds, the JSON Schemas its files point
editors at, a `.gitignore`, a minimal `mkdocs.yml`, a CODEOWNERS sketch and CI for GitHub and
GitLab. It never overwrites: if any file it would write exists, it writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2

from sales_handbook.plan import jsonschema
from sales_handbook.plan import language as tags

FILES = Path(__file__).with_name("starter")
SCHEMA_DIR = Path(".handbook") / jsonschema.SCHEMA_FOLDER
"""Where the schemas go in a repository; the plan files' `$schema` lines point here."""

PACKAGE = "sales-alignment-handbook"
TEAMS = ("new-business", "marketing")

OUTPUTS = {
    "plan/organization.yaml": "plan/organization.yaml.j2",
    "plan/objectives.yaml": "plan/objectives.yaml.j2",
    "plan/benefits.yaml": "plan/benefits.yaml.j2",
    **{f"plan/teams/{team}.yaml": f"plan/teams/{team}.yaml.j2" for team in TEAMS},
    "plan/reviews/{review_period}.yaml": "plan/reviews/review.yaml.j2",
    ".gitignore": "gitignore.j2",
    "mkdocs.yml": "mkdocs.yml.j2",
    "CODEOWNERS": "CODEOWNERS.j2",
    ".github/workflows/handbook.yml": "ci/github-workflow.yml.j2",
    ".gitlab-ci.yml": "ci/gitlab-ci.yml.j2",
}
"""Each file `init` writes (relative to the folder) and its template in `starter/`."""


class ScaffoldError(Exception):
    """`init` wrote nothing; the message says why and what to do."""


@dataclass(frozen=True)
class Quarters:
    """The plan's quarter (today's) and the one its starter review looks back on."""

    today: dt.date

    @property
    def period(self) -> str:
        return f"{self.today.year}-Q{(self.today.month - 1) // 3 + 1}"

    @property
    def review_period(self) -> str:
        quarter = (self.today.month - 1) // 3
        return f"{self.today.year}-Q{quarter}" if quarter else f"{self.today.year - 1}-Q4"

    @property
    def review_date(self) -> dt.date:
        """The first day of this quarter: the review of the last one."""
        return dt.date(self.today.year, 3 * ((self.today.month - 1) // 3) + 1, 1)


def init(folder: Path, name: str, today: dt.date | None = None, package: str = PACKAGE,
         language: str = tags.DEFAULT) -> list[Path]:
    """Write the starter repository into `folder` (made if missing); return the files written.

    Raises ScaffoldError, writing nothing, if `name` is empty, `language` is not a language tag, or any file to
    write exists already.
    """
    if not name.strip() or "\n" in name:
        raise ScaffoldError("--name must be the organization's name on one line, like --name \"Acme Ltd\"")
    problem = tags.tag_problem(language)
    if problem is not None:
        raise ScaffoldError(f"--language: {problem}")
    quarters = Quarters(today or dt.date.today())
    values = {"name": name, "period": quarters.period, "today": quarters.today.isoformat(),
              "review_period": quarters.review_period, "review_date": quarters.review_date.isoformat(),
              "teams": TEAMS, "package": package, "language": language}
    files = {Path(path.format(**values)): _render(template, values) for path, template in OUTPUTS.items()}
    files.update({SCHEMA_DIR / name: data for name, data in _schemas().items()})
    existing = sorted(str(folder / path) for path in files if (folder / path).exists() or (folder / path).is_symlink())
    if existing:
        raise ScaffoldError("these files exist already, and init never overwrites: " + ", ".join(existing) +
                            ". Run it in an empty folder (handbook init DIR), or move them away")
    written = []
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as out:  # 'x': a file made meanwhile is not overwritten either
            out.write(data)
        written.append(target)
    return written


def _schemas() -> dict[str, bytes]:
    return {Path(path).name: data for path, data in jsonschema.schema_files().items()}


def _render(template: str, values: dict[str, object]) -> bytes:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(FILES), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = lambda text: json.dumps(str(text), ensure_ascii=False)  # a JSON string is YAML too
    return env.get_template(template).render(**values).encode("utf-8")
