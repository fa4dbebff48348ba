"""Builds held at a known point: a MkDocs hook pauses a build at its first page until the test lets it go.

So a test can interrupt, kill or race a build that is surely running, instead of
guessing how long a build takes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.publishing import make_project

PAUSE_HOOK = '''\
"""A test hook: the build pauses at its first page until the test lets it go (or interrupts it)."""
import os
import time
from pathlib import Path


def on_post_page(output, page, config):
    pause = os.environ.get("HANDBOOK_TEST_PAUSE")
    if pause and not Path(pause + ".go").exists():
        Path(pause + ".started").touch()
        while not Path(pause + ".go").exists():
            time.sleep(0.02)
    return output
'''


def project_with_pause_hook(root: Path) -> Path:
    """The small plan's project, with a MkDocs hook that holds a build at its first page while asked to."""
    project = make_project(root)
    (project / "pause_hook.py").write_text(PAUSE_HOOK)
    with (project / "mkdocs.yml").open("a") as config:
        config.write("\nhooks:\n  - pause_hook.py\n")
    return project


def start(project: Path, *args: str, pause: Path | None = None) -> subprocess.Popen[str]:
    """`handbook ARGS` in its own process, in `project`; paused at its first page when `pause` is given."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if pause is not None:
        env["HANDBOOK_TEST_PAUSE"] = str(pause)
    return subprocess.Popen([sys.executable, "-m", "sales_handbook.command", *args], cwd=project, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def leftovers(folder: Path) -> list[str]:
    """Hidden build folders beside the site: staging folders and moved-aside sites."""
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name or p.name.endswith(".old")
                  or ".replaced-" in p.name)
