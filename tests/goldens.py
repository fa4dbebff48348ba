"""Golden files: rewritten only on purpose, never by a CI run.

`UPDATE_GOLDEN=1` rewrites the golden files from what the code renders now, so a
reviewer can read the diff. A CI run (`CI=true`) must compare, never accept: there
the variable is refused with a failure that says so.
"""

from __future__ import annotations

import os

import pytest

CI_VALUES = ("true", "1", "yes")


def updating() -> bool:
    """Whether to rewrite golden files in this run; a failed test when asked to under CI."""
    if not os.environ.get("UPDATE_GOLDEN"):
        return False
    if os.environ.get("CI", "").strip().lower() in CI_VALUES:
        pytest.fail("UPDATE_GOLDEN is set under CI=true: golden files are rewritten only on a developer's "
                    "machine, where the diff is read before it is committed")
    return True
