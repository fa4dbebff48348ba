"""`handbook build` shows its progress on a terminal, and nothing in CI logs."""

from __future__ import annotations

import io
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sales_handbook.engine.progress import Progress
from tests.conftest import REPO
from tests.planfiles import make_plan


def build_on_a_terminal(tmp_path: Path, **env: str) -> str:
    """Run `handbook build` with a pseudo-terminal as its stdout and stderr; return what it showed."""
    plan = make_plan(tmp_path)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    controller, terminal = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "CI"} | env
    process = subprocess.Popen([sys.executable, "-m", "sales_handbook.cli", "build", "--plan", str(plan)],
                               cwd=tmp_path, stdout=terminal, stderr=terminal, env=environment)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the build exits
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.wait(timeout=120) == 0, shown.decode()
    return shown.decode("utf-8")


def test_a_terminal_shows_each_phase_with_counts(tmp_path: Path) -> None:
    shown = build_on_a_terminal(tmp_path)
    files = len(list((tmp_path / "plan").rglob("*.yaml")))
    assert f"handbook: loading and checking {files} plan files" in shown
    rendered = re.search(r"handbook: rendering pages (\d+)/\1 \(", shown)
    assert rendered, shown
    pages = int(rendered.group(1))
    assert pages > 10
    for phase in ("MkDocs: reading pages", "MkDocs: writing pages"):
        assert f"handbook: {phase} {pages}/{pages} (" in shown, shown
    assert "handbook: public site written to site in " in shown


def test_ci_logs_stay_quiet_even_on_a_terminal(tmp_path: Path) -> None:
    shown = build_on_a_terminal(tmp_path, CI="true")
    assert "handbook: public site written to site\r\n" in shown
    assert "rendering pages" not in shown and "\x1b[K" not in shown


def test_no_progress_on_a_pipe_or_file() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    progress.start("rendering pages", 3)
    progress.advance(3)
    progress.finish()
    assert not progress.enabled and stream.getvalue() == ""
