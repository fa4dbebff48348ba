"""`handbook publish`: two quarters on a real git branch with real mike, and publishing to a folder.

Between the quarters a goal is renamed, a goal moves to another team, a team
is renamed, a goal is retired and an objective is renamed
(tests/fixtures/next-quarter/README.md). Every URL the first version
published must still lead somewhere in the second.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.planfiles import replace_in, write
from tests.publishing import (
    TwoQuarters,
    follow,
    forwarding_addresses,
    git,
    handbook,
    make_project,
    make_repo,
    parse,
    publish_two_quarters,
)
from tests.test_build import tree_digest
from tests.test_changes import GOLDEN


@pytest.fixture(scope="module")
def quarters(tmp_path_factory: pytest.TempPathFactory) -> TwoQuarters:
    return publish_two_quarters(tmp_path_factory.mktemp("publish"))


def test_versions_json_lists_both_quarters_with_latest_on_the_newest(quarters: TwoQuarters) -> None:
    versions = json.loads((quarters.site / "versions.json").read_text(encoding="utf-8"))
    assert versions == [
        {"version": "2027-Q1", "title": "2027-Q1", "aliases": ["latest"]},
        {"version": "2026-Q4", "title": "Q4 2026", "aliases": []},
    ]
    assert (quarters.site / "latest").is_symlink() and (quarters.site / "latest").readlink() == Path("2027-Q1")
    assert follow(quarters.site, "")[0] == "latest/"
    assert follow(quarters.site, "latest/")[1].resolve() == (quarters.site / "2027-Q1" / "index.html").resolve()


def test_the_earlier_version_stays_byte_for_byte(quarters: TwoQuarters) -> None:
    assert git(quarters.repo, "rev-parse", "gh-pages:2026-Q4") == quarters.first_tree


def test_each_version_carries_its_plan_as_data(quarters: TwoQuarters) -> None:
    first = json.loads((quarters.site / "2026-Q4" / "plan.json").read_text(encoding="utf-8"))
    second = json.loads((quarters.site / "latest" / "plan.json").read_text(encoding="utf-8"))
    assert first["published"] == {"version": "2026-Q4", "title": "Q4 2026"}
    assert (first["organization"]["period"], second["organization"]["period"]) == ("2026-Q4", "2027-Q1")
    assert second["retired"][0]["id"] == "south-new-logos"


def first_version_urls(site: Path) -> list[str]:
    """Every page URL of the first version, and every goal and person anchor on its team pages."""
    root = site / "2026-Q4"
    urls = []
    for file in sorted(root.rglob("*.html")):
        rel = file.relative_to(root).as_posix()
        urls.append(rel.removesuffix("index.html"))
        if rel.startswith("teams/") and rel.count("/") == 2:
            links = parse(file)
            urls += [f"{rel.removesuffix('index.html')}#{anchor}" for anchor in sorted(links.ids)
                     if not anchor.startswith("__")]
    return urls


def test_every_url_of_the_first_version_still_leads_somewhere_in_the_second(quarters: TwoQuarters) -> None:
    urls = first_version_urls(quarters.site)
    assert "goals/north-new-arr/" in urls and "teams/south-sales/" in urls and "people/nora-lind/" in urls
    forwarded = forwarding_addresses(quarters.site, "2027-Q1")
    unresolved = []
    for url in urls:
        page, _, anchor = url.partition("#")
        try:
            follow(quarters.site, f"latest/{url}")
        except AssertionError:
            # The page is there but the section moved: the page's script forwards the anchor.
            follow(quarters.site, f"latest/{page}")
            if anchor not in forwarded:
                unresolved.append(url)
                continue
            follow(quarters.site, f"latest/{forwarded[anchor]}")
    assert unresolved == []


@pytest.mark.parametrize(("old", "new"), [
    ("goals/north-new-arr/", "2027-Q1/teams/north-sales/#north-arr-2027"),
    ("goals/north-handover-quality/", "2027-Q1/teams/iberia-sales/#north-handover-quality"),
    ("people/nora-lind/", "2027-Q1/people/nora-lind/"),
    ("goals/olaf-new-arr/", "2027-Q1/people/olaf-berg/#olaf-new-arr"),
    ("teams/south-sales/", "2027-Q1/teams/iberia-sales/"),
    ("objectives/delight-customers/", "2027-Q1/objectives/customer-loyalty/"),
    ("goals/south-new-logos/", "2027-Q1/goals/south-new-logos/"),
])
def test_renamed_moved_and_retired_items_lead_to_where_they_are_now(quarters: TwoQuarters, old: str,
                                                                      new: str) -> None:
    found, _ = follow(quarters.site, f"2027-Q1/{old}")
    assert found == new
    frozen, _ = follow(quarters.site, f"2026-Q4/{old}")
    assert frozen.startswith("2026-Q4/")


def test_a_retired_goal_keeps_a_page_that_says_when_why_and_what_replaced_it(quarters: TwoQuarters) -> None:
    page = (quarters.site / "2027-Q1" / "goals" / "south-new-logos" / "index.html").read_text(encoding="utf-8")
    assert "Win 12 new customers (retired)" in page
    assert "retired in 2027-Q1" in page
    assert "New logos are now won by North Sales" in page
    assert 'href="../../teams/north-sales/#north-new-logos"' in page
    assert follow(quarters.site, "2027-Q1/teams/north-sales/#north-new-logos")


def test_the_what_changed_page_compares_with_the_previous_version(quarters: TwoQuarters) -> None:
    page = (quarters.site / "2027-Q1" / "changes" / "index.html").read_text(encoding="utf-8")
    assert "What changed since Q4 2026 (2026-Q4)" in page
    assert 'href="../goals/south-new-logos/">Win 12 new customers</a>' in page
    assert "formerly <code>north-new-arr</code>" in page
    first = (quarters.site / "2026-Q4" / "changes" / "index.html").read_text(encoding="utf-8")
    assert "No earlier version of this handbook has been published" in first
    home = (quarters.site / "2027-Q1" / "index.html").read_text(encoding="utf-8")
    assert 'href="changes/">What changed since Q4 2026 (2026-Q4)</a>' in home


def test_a_review_shows_the_changes_computed_for_its_quarter(quarters: TwoQuarters) -> None:
    page = (quarters.site / "2027-Q1" / "reviews" / "2026-Q4" / "index.html").read_text(encoding="utf-8")
    computed = page[page.index("Changes computed from the published plans"):]
    assert "from the plan of Q4 2026 (2026-Q4) to the plan of 2027-Q1" in computed
    assert "Hand every new deal over with a success plan</a>: from North Sales to Iberia Sales" in computed
    earlier = (quarters.site / "2027-Q1" / "reviews" / "2026-Q3" / "index.html").read_text(encoding="utf-8")
    assert "cannot be computed" in earlier


def test_diff_between_published_versions_matches_the_golden_report(quarters: TwoQuarters, capsys) -> None:
    assert handbook(quarters.repo, "diff", "2026-Q4", "latest") == 0
    text = capsys.readouterr().out
    golden = (GOLDEN / "changes.txt").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "Changes from Q4 2026 (2026-Q4) to 2027-Q1"
    assert text.splitlines()[1:] == golden.splitlines()[1:]


def test_a_publish_whose_build_fails_leaves_the_branch_as_it_was(tmp_path: Path, capsys) -> None:
    repo = make_repo(tmp_path)
    assert handbook(repo, "publish", "2026-Q4") == 0
    before = git(repo, "rev-parse", "gh-pages"), git(repo, "rev-parse", "gh-pages^{tree}")
    replace_in(repo / "plan", "teams/south-sales.yaml", "id: south-new-logos", "id: south-logos")
    capsys.readouterr()
    assert handbook(repo, "publish", "2027-Q1") == 1
    err = capsys.readouterr().err
    assert "goal 'south-new-logos' was published in 2026-Q4 and is no longer in the plan" in err
    assert "add 'formerly: [south-new-logos]' to its new entry" in err and "plan/retired.yaml" in err
    replace_in(repo / "plan", "teams/south-sales.yaml", "id: south-logos", "id: south-logos\n    formerly: [south-new-logos]")
    replace_in(repo / "plan", "organization.yaml", "vision: ", "vision: See [the roadmap](roadmap.md). ")
    assert handbook(repo, "publish", "2027-Q1") == 1
    assert "build failed, nothing was published (branch gh-pages is unchanged)" in capsys.readouterr().err
    assert (git(repo, "rev-parse", "gh-pages"), git(repo, "rev-parse", "gh-pages^{tree}")) == before
    assert git(repo, "branch", "--list").split() == ["gh-pages", "*", "main"]


def test_push_happens_only_with_a_remote(tmp_path: Path, capsys) -> None:
    repo = make_repo(tmp_path)
    assert handbook(repo, "publish", "2026-Q4", "--push") == 0
    assert "has no remote 'origin': nothing was pushed" in capsys.readouterr().out
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    assert handbook(repo, "publish", "2026-Q4", "--title", "Q4 2026") == 0
    assert "nothing was pushed" in capsys.readouterr().out
    assert git(remote, "branch", "--list") == ""
    assert handbook(repo, "publish", "2026-Q4", "--title", "Q4 2026", "--push") == 0
    assert git(remote, "rev-parse", "gh-pages") == git(repo, "rev-parse", "gh-pages")


def test_publish_to_a_folder_replaces_it_and_keeps_its_links(tmp_path: Path, capsys) -> None:
    repo = make_repo(tmp_path)
    out = tmp_path / "public"
    assert handbook(repo, "publish", "--dir", str(out)) == 0
    assert (out / "goals" / "south-new-logos" / "index.html").is_file()
    before = tree_digest(out)
    replace_in(repo / "plan", "teams/south-sales.yaml", "id: south-new-logos", "id: south-logos")
    assert handbook(repo, "publish", "--dir", str(out)) == 1
    assert "goal 'south-new-logos' was published in 2026-Q4" in capsys.readouterr().err
    assert tree_digest(out) == before
    write(repo / "plan", "retired.yaml", "retired:\n  - kind: goal\n    id: south-new-logos\n"
                                         "    title: Win 12 new customers\n    retired: 2027-Q1\n"
                                         "    reason: Replaced by south-logos.\n    successor: south-logos\n")
    assert handbook(repo, "publish", "--dir", str(out)) == 0
    assert follow(out, "goals/south-logos/")[0] == "teams/south-sales/#south-logos"
    assert "(retired)" in (out / "goals" / "south-new-logos" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handbook", "public"]


@pytest.mark.parametrize("where", [["--dir", "public"], ["2026-Q4"]])
def test_publish_reads_the_plan_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: list[str]) -> None:
    """The plan checked before the build is the plan built: a large plan is not parsed twice."""
    from sales_handbook.plan import loader

    repo = make_repo(tmp_path)
    reads: list[Path] = []
    load = loader.Reader.load

    def counted(reader: loader.Reader, plan_dir: Path | str) -> object:
        reads.append(Path(plan_dir).resolve())
        return load(reader, plan_dir)

    monkeypatch.setattr(loader.Reader, "load", counted)
    assert handbook(repo, "publish", *where) == 0
    assert reads.count((repo / "plan").resolve()) == 1


def test_version_names_that_cannot_be_folders_are_refused(tmp_path: Path, capsys) -> None:
    repo = make_repo(tmp_path)
    assert handbook(repo, "publish", "latest") == 1
    assert "'latest' is the alias of the newest version" in capsys.readouterr().err
    assert handbook(repo, "publish") == 2
    assert git(repo, "branch", "--list").split() == ["*", "main"]


def test_publishing_needs_a_git_repository(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path)
    assert handbook(project, "publish", "2026-Q4") == 1
    assert "is not in a git repository: run 'git init' there, or publish to a folder with --dir OUT" in \
        capsys.readouterr().err
    assert handbook(project, "publish", "--dir", str(tmp_path / "public")) == 0


def test_a_branch_with_versions_but_no_versions_json_is_an_error_not_a_fresh_start(tmp_path: Path,
                                                                                  capsys) -> None:
    repo = make_repo(tmp_path)
    assert handbook(repo, "publish", "2026-Q4") == 0
    git(repo, "worktree", "add", "-q", str(tmp_path / "pages"), "gh-pages")
    git(tmp_path / "pages", "rm", "-q", "versions.json")
    git(tmp_path / "pages", "commit", "-q", "-m", "lose the list of versions")
    git(repo, "worktree", "remove", str(tmp_path / "pages"))
    before = git(repo, "rev-parse", "gh-pages")
    replace_in(repo / "plan", "teams/south-sales.yaml", "id: south-new-logos", "id: south-logos")
    capsys.readouterr()
    for command in (["check"], ["build", "--quiet", "--site-dir", str(tmp_path / "site")], ["publish", "2027-Q1"]):
        assert handbook(repo, *command) == 1, command
        error = capsys.readouterr().err
        assert "branch gh-pages holds published versions (2026-Q4) but no versions.json" in error
        assert "git log --oneline gh-pages -- versions.json" in error and "Traceback" not in error
    assert git(repo, "rev-parse", "gh-pages") == before
    assert not (tmp_path / "site").exists()
