"""Run test code in a fresh interpreter: the test process may run threads (a test server), and then nothing forks."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.planfiles import EXAMPLE_PLAN


def run_python(script: str) -> str:
    """What `script` (dedented) prints, run by this Python in the repository; its errors fail the test."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=EXAMPLE_PLAN.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout
