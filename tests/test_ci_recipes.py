"""The CI files `handbook init` writes, and this repository's pre-commit hook, run as scripts in scratch git repos.

Hosted runners are out of reach here: the workflow's own `run:` commands run with bash in a repository made
by `handbook init`, with a bare repository as its `origin`, as a runner would run them after checkout.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import yaml

from sales_handbook import scaffold
from tests.conftest import REPO
from tests.test_adopt import run

BIN = str(Path(sys.executable).parent)
PATH = f"{BIN}:/usr/bin:/bin"
INSTALL = "Install the handbook"  # the step that installs from PyPI: here the test venv has the handbook


def company_repo(root: Path) -> Path:
    """A repository made by `handbook init`, committed and pushed to a bare `origin`."""
    origin, company = root / "origin.git", root / "acme"
    run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], root)
    scaffold.init(company, "Acme Ltd")
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Our plan"],
                    ["remote", "add", "origin", str(origin)], ["push", "-q", "origin", "main"]):
        run(["git", *command], company)
    return company


def job_script(workflow: dict, job: str, **inputs: str) -> str:
    """The job's `run:` steps as one bash script, each step's `env:` exported, `${{ inputs.X }}` filled in."""
    lines = ["set -euo pipefail"]
    for step in workflow["jobs"][job]["steps"]:
        if "run" not in step or step.get("name") == INSTALL:
            continue
        for name, value in step.get("env", {}).items():
            for key, given in inputs.items():
                value = value.replace("${{ inputs.%s }}" % key, given)
            lines.append(f"export {name}={shlex.quote(value)}")
        lines.append(f"( {step['run']}\n)")
    return "\n".join(lines) + "\n"


def test_the_github_workflow_checks_shows_changes_and_publishes_a_quarter(tmp_path: Path) -> None:
    company = company_repo(tmp_path)
    workflow = yaml.safe_load((company / ".github" / "workflows" / "handbook.yml").read_text(encoding="utf-8"))
    assert set(workflow[True]) == {"push", "pull_request", "workflow_dispatch"}  # YAML 1.1 reads 'on' as True
    assert workflow["env"]["HANDBOOK_PACKAGE"] == "sales-alignment-handbook"
    summary = tmp_path / "summary.md"

    (tmp_path / "check.sh").write_text(job_script(workflow, "check"), encoding="utf-8")
    checked = run(["bash", str(tmp_path / "check.sh")], company, PATH, GITHUB_STEP_SUMMARY=str(summary))
    assert "plan: 0 errors" in checked.stdout
    assert "Nothing published yet" in summary.read_text(encoding="utf-8")

    (tmp_path / "publish.sh").write_text(job_script(workflow, "publish", version="2026-Q4"), encoding="utf-8")
    published = run(["bash", str(tmp_path / "publish.sh")], company, PATH)
    assert "published 2026-Q4 on branch gh-pages" in published.stdout
    files = run(["git", "ls-tree", "-r", "--name-only", "gh-pages"], tmp_path / "origin.git").stdout.split()
    assert "2026-Q4/teams/new-business/index.html" in files and "versions.json" in files

    # The next change: the summary shows what changed since the published quarter, as Markdown.
    team = company / "plan" / "teams" / "marketing.yaml"
    team.write_text(team.read_text(encoding="utf-8").replace("target: 80", "target: 90"), encoding="utf-8")
    run(["git", "commit", "-q", "-am", "More leads"], company)
    summary.unlink()
    run(["bash", str(tmp_path / "check.sh")], company, PATH, GITHUB_STEP_SUMMARY=str(summary))
    shown = summary.read_text(encoding="utf-8")
    assert "qualified-leads" in shown and "90" in shown and "#" in shown


def test_the_gitlab_pipeline_runs_the_same_commands(tmp_path: Path) -> None:
    scaffold.init(tmp_path, "Acme Ltd")
    pipeline = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    check, publish = pipeline["handbook-check"]["script"], pipeline["handbook-publish"]["script"]
    assert check[0] == "handbook check"
    assert any(line.startswith("handbook diff latest plan --format markdown") for line in check)
    assert publish[-1] == 'handbook publish "$HANDBOOK_VERSION" --push'
    assert pipeline["default"]["before_script"] == ['pip install "$HANDBOOK_PACKAGE"']


def test_the_pre_commit_hook_runs_handbook_check_and_stops_a_broken_plan(tmp_path: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["handbook-check"]
    hook = hooks[0]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    company = company_repo(tmp_path)
    entry = shlex.split(hook["entry"])
    assert "plan: 0 errors" in run(entry, company, PATH).stdout
    broken = company / "plan" / "teams" / "marketing.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("lead: mo-marketer", "lead: nobody"),
                      encoding="utf-8")
    stopped = run(entry, company, PATH, check=False)
    assert stopped.returncode == 1 and "plan/teams/marketing.yaml:" in stopped.stderr + stopped.stdout
