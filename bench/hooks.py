"""Time one `handbook build` by part: the plugin's hooks, the site swap and the total (a profile without a profiler).

Run it like `handbook build`, e.g. after `make bench` has written the 1,000-team plan:

    python -m bench.hooks build --quiet --plan .cache/bench/teams-1000/plan \\
        --site-dir .cache/bench/teams-1000/site --config .cache/bench/teams-1000/mkdocs.yml

It prints, after the build, the seconds spent in each hook of the handbook plugin (summed over the
pages) and in replacing the previous site. cProfile slows Python code three times more than
system calls, which hides where a build's wall time goes; plain timers do not.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from generator import cli, plugin, publish

SPENT: defaultdict[str, float] = defaultdict(float)

HOOKS = {
    "on_config": "generator (on_config)",
    "on_page_content": "sanitizing (on_page_content)",
    "on_post_page": "figures (on_post_page)",
    "on_post_build": "waiting for the site's files (on_post_build)",
}


def timed(function: Callable[..., Any], part: str) -> Callable[..., Any]:
    """`function`, adding its wall time to `SPENT[part]` on every call."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[part] += time.perf_counter() - started
    return wrapper


def main() -> int:
    for hook, part in HOOKS.items():
        setattr(plugin.HandbookPlugin, hook, timed(getattr(plugin.HandbookPlugin, hook), part))
    publish.replace_dir = timed(publish.replace_dir, "replacing the previous site")
    started = time.perf_counter()
    status = cli.main(sys.argv[1:])
    for part, seconds in SPENT.items():
        print(f"{part:48s} {seconds:6.2f} s", file=sys.stderr)
    print(f"{'whole command':48s} {time.perf_counter() - started:6.2f} s", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
