"""A company adopts the handbook: the wheel installed in a fresh virtual environment, used in an empty folder."""

from __future__ import annotations

import re
import site
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

HOSTILE = "Kundeservice </title><img src=x onerror=alert(1)>"


def run(command: list[str], cwd: Path, path: str = "/usr/bin:/bin", check: bool = True,
        **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": path, "HOME": str(cwd), "NO_MKDOCS_2_WARNING": "1", "LANG": "C.UTF-8",
                   "GIT_AUTHOR_NAME": "Plan Owner", "GIT_AUTHOR_EMAIL": "owner@example.com",
                   "GIT_COMMITTER_NAME": "Plan Owner", "GIT_COMMITTER_EMAIL": "owner@example.com", **env}
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=environment, timeout=300)
    if check:
        assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done


def head_titles(page: Path) -> list[str]:
    """The page titles in the HTML head of `page` (drawings in the body have titles of their own)."""
    return re.findall(r"<title>(.*?)</title>", page.read_text("utf-8").split("</head>")[0], re.S)


@pytest.fixture(scope="module")
def venv_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh venv outside the repository with the handbook's wheel installed.

    The wheel is built from this checkout and installed with its entry point, as pip installs it for anyone;
    its dependencies come from the test venv's site-packages (a .pth line), so no network is needed.
    """
    work = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(work),
         str(REPO)], cwd=work)
    wheel = next(work.glob("sales_alignment_handbook-*.whl"))
    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-deps",
         "--no-index", str(wheel)], cwd=work)
    target = Path(run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                      cwd=work).stdout.strip())
    (target / "zz_test_dependencies.pth").write_text(site.getsitepackages()[0] + "\n", encoding="utf-8")
    return venv / "bin"


def test_the_installed_wheel_starts_checks_and_builds_a_company_handbook_with_escaped_titles(
        venv_bin: Path, tmp_path: Path) -> None:
    path = f"{venv_bin}:/usr/bin:/bin"
    company = tmp_path / "acme"
    company.mkdir()
    where = run([str(venv_bin / "python"), "-c", "import sales_handbook; print(sales_handbook.__file__)"], company)
    assert where.stdout.startswith(str(venv_bin.parent)), "the wheel is not what runs"
    run(["git", "init", "-q", "-b", "main"], company)
    run(["handbook", "init", "--name", "Acme Ltd"], company, path)
    team = company / "plan" / "teams" / "new-business.yaml"
    team.write_text(team.read_text(encoding="utf-8").replace("name: New Business", f'name: "{HOSTILE}"'),
                    encoding="utf-8")
    run(["git", "add", "-A"], company)
    run(["git", "commit", "-q", "-m", "Our plan"], company)

    checked = run(["handbook", "check"], company, path)
    assert "plan: 0 errors" in checked.stdout
    for _ in range(2):  # the second build keeps a spare of the first one's redirects, in the cache
        run(["handbook", "build"], company, path)
    assert any((company / ".cache" / "handbook" / "spare").iterdir())
    assert sorted(p.name for p in company.iterdir() if p.name.startswith(".")) == [".cache", ".git", ".github",
                                                                                   ".gitignore", ".gitlab-ci.yml",
                                                                                   ".handbook"]

    titles = {p.relative_to(company / "site").as_posix(): head_titles(p) for p in (company / "site").rglob("*.html")}
    team_titles = [t for page, found in titles.items() if page.startswith("teams/new-business") for t in found]
    assert team_titles == ["Kundeservice &lt;/title&gt;&lt;img src=x onerror=alert(1)&gt; - Acme Ltd handbook"]
    assert all(len(found) == 1 and "<" not in found[0] for page, found in titles.items()
               if not page.startswith(("goals/", "people/"))), titles
    assert "<img src=x" not in "".join(p.read_text("utf-8") for p in (company / "site").rglob("*.html"))
    assert run(["git", "status", "--porcelain", "--untracked-files=all"], company).stdout == ""

    # mkdocs.yml is optional: without it the packaged defaults build the same site, the title still escaped.
    run(["git", "rm", "-q", "mkdocs.yml"], company)
    run(["git", "commit", "-q", "-m", "Packaged defaults"], company)
    run(["handbook", "build", "--audience", "internal"], company, path)
    page = (company / "site" / "teams" / "new-business" / "index.html").read_text("utf-8")
    assert "<title>Kundeservice &lt;/title&gt;&lt;img src=x onerror=alert(1)&gt; - Acme Ltd handbook</title>" in page
    assert run(["git", "status", "--porcelain", "--untracked-files=all"], company).stdout == ""


def test_init_never_overwrites_and_check_runs_from_any_folder(venv_bin: Path, tmp_path: Path) -> None:
    path = f"{venv_bin}:/usr/bin:/bin"
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "mkdocs.yml").write_text("site_name: mine\n", encoding="utf-8")
    refused = run(["handbook", "init", "ours", "--name", "Acme Ltd"], tmp_path, path, check=False)
    assert refused.returncode == 1 and "never overwrites" in refused.stderr and "Traceback" not in refused.stderr
    assert sorted(p.name for p in (tmp_path / "ours").iterdir()) == ["mkdocs.yml"]
    assert (tmp_path / "ours" / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: mine\n"
    run(["handbook", "init", "fresh", "--name", "Acme Ltd"], tmp_path, path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert "0 errors" in run(["handbook", "check", "--plan", str(tmp_path / "fresh" / "plan")], elsewhere,
                             path).stdout
    run(["handbook", "build", "--plan", str(tmp_path / "fresh" / "plan"), "--site-dir", "out"], elsewhere, path)
    assert (elsewhere / "out" / "teams" / "marketing" / "index.html").is_file()
    missing = run(["handbook", "build", "--plan", str(tmp_path / "fresh" / "plan"), "--config", "nope.yml"],
                  elsewhere, path, check=False)
    assert missing.returncode == 1 and "nope.yml does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_the_installed_wheel_builds_a_german_handbook_from_its_own_catalogs(venv_bin: Path, tmp_path: Path) -> None:
    path = f"{venv_bin}:/usr/bin:/bin"
    company = tmp_path / "beispiel"
    company.mkdir()
    catalog = run([str(venv_bin / "python"), "-c", "import sales_handbook.site.words as w, pathlib; "
                   "print(pathlib.Path(w.__file__).parent / 'locale' / 'de' / 'LC_MESSAGES' / 'handbook.po')"],
                  company).stdout.strip()
    assert catalog.startswith(str(venv_bin.parent)) and Path(catalog).is_file(), "the wheel carries its catalogs"
    run(["handbook", "init", "--name", "Beispiel GmbH", "--language", "de"], company, path)
    written = (company / "plan" / "organization.yaml").read_text(encoding="utf-8")
    assert '\nlanguage: "de" ' in written and "en, de (Deutsch), nb" in written  # it says which languages there are
    assert "warning" not in run(["handbook", "check"], company, path).stderr
    run(["handbook", "build"], company, path)
    home = (company / "site" / "index.html").read_text("utf-8")
    assert '<html lang="de"' in home and "Handbuch von Beispiel GmbH" in home and 'placeholder="Suche"' in home
    team = (company / "site" / "teams" / "new-business" / "index.html").read_text("utf-8")
    assert re.search(r"<h2 id=\"goals\">Ziele", team)
    assert "Ausgangswert → Zielwert" in team and "Zeitraum" in team
