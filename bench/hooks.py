"""Time one `handbook build` by part: the plugin's hooks, the site swap and the total (a profile without a profiler).

Run it like `handbook build`, e.g. after `make bench` has written the 1,000-team plan:

    python -m bench.hooks build --quiet --plan .cache/bench/teams-1000/plan \\
        --site-dir .cache/bench/teams-1000/site --config .cache/bench/teams-1000/mkdocs.yml

It prints, after the build, the seconds spent in each hook of the handbook plugin (summed over the
pages) and in replacing the previous site (keeping its address folders as the spare among it); the
work of the worker beside MkDocs (writing the site's files, bringing the spare's folders up to date)
is printed by the worker when it is done, marked "beside MkDocs". cProfile slows Python code three times more than
system calls, which hides where a build's wall time goes; plain timers do not.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sales_handbook import cli
from sales_handbook.engine import plugin
from sales_handbook.publish import builds as publish
from sales_handbook.publish import sitefolder
from sales_handbook.site import figures
from sales_handbook.speed import recycling, writing

SPENT: defaultdict[str, float] = defaultdict(float)

HOOKS = {
    "on_config": "generator (on_config)",
    "on_files": "taking the spare's folders (on_files)",
    "on_env": "templates; waiting for the spare's folders (on_env)",
    "on_page_content": "sanitizing (on_page_content)",
    "on_post_page": "figures (on_post_page)",
    "on_post_build": "waiting for the site's files (on_post_build)",
}


def timed(function: Callable[..., Any], part: str, printed: bool = False) -> Callable[..., Any]:
    """`function`, adding its wall time to `SPENT[part]` on every call, or `printed` when it returns: for work
    done in a forked worker, whose `SPENT` is its own."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            if printed:
                show(part, time.perf_counter() - started)
            else:
                SPENT[part] += time.perf_counter() - started
    return wrapper


def show(part: str, seconds: float) -> None:
    print(f"{part:48s} {seconds:6.2f} s", file=sys.stderr)


def main() -> int:
    for hook, part in HOOKS.items():
        setattr(plugin.HandbookPlugin, hook, timed(getattr(plugin.HandbookPlugin, hook), part))
    sitefolder.swap_in = timed(sitefolder.swap_in, "swapping the site in")
    publish._dispose = timed(publish._dispose, "deleting the previous site but the spare's folders")
    recycling.Recycled.update = timed(recycling.Recycled.update, "updating the spare's folders (beside MkDocs)", True)
    writing.write_files = timed(writing.write_files, "the site's files (beside MkDocs)", True)
    figures.draw_all = timed(figures.draw_all, "the figures (beside MkDocs)", True)
    started = time.perf_counter()
    status = cli.main(sys.argv[1:])
    for part, seconds in SPENT.items():
        show(part, seconds)
    show("whole command", time.perf_counter() - started)
    return status


if __name__ == "__main__":
    sys.exit(main())
