"""The private parts of Jinja and MkDocs the handbook relies on: pinned in pyproject.toml, and checked here.

If an upgrade changes them, these tests fail before any reader sees a wrong page.
"""

from __future__ import annotations

import jinja2
from mkdocs.livereload import LiveReloadServer
from watchdog.observers.polling import PollingObserver

from sales_handbook.model.audience import Audience, for_audience
from sales_handbook.plan.loader import load_plan
from sales_handbook.rules import health
from sales_handbook.site import pages
from tests.planfiles import EXAMPLE_PLAN, SMALL_PLAN


def test_the_fast_template_calls_render_exactly_what_jinja_renders() -> None:
    """pages._Context calls plain macros through Macro._func; Jinja's own path must give the same pages."""
    environment = pages._environment()
    assert environment.context_class is pages._Context
    for folder in (SMALL_PLAN, EXAMPLE_PLAN):
        whole = load_plan(folder)
        for audience in Audience:
            plan = for_audience(whole, audience)
            found = health.for_audience(health.findings(whole), whole, audience)
            fast = pages.render(plan, found)
            environment.context_class = jinja2.runtime.Context
            try:
                plain = pages.render(plan, found)
            finally:
                environment.context_class = pages._Context
            assert fast == plain


def test_jinja_macros_still_have_the_attributes_the_fast_path_reads() -> None:
    macro = jinja2.Environment().from_string("{% macro m(a, b=2) %}{{ a }}{{ b }}{% endmacro %}").module.m
    assert isinstance(macro, jinja2.runtime.Macro)
    assert macro.arguments == ("a", "b") and not (macro.caller or macro.catch_kwargs or macro.catch_varargs)
    assert macro._func(1, 3) == "13"


def test_the_dev_server_keeps_its_watched_paths_and_polling_observer_where_the_plugin_looks() -> None:
    """engine/plugin.py's on_serve moves the watched paths to a faster observer."""
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=".")
    try:
        server.watch(str(EXAMPLE_PLAN))
        assert isinstance(server.observer, PollingObserver)
        assert server._watched_paths == {str(EXAMPLE_PLAN): 1}
    finally:
        server.server_close()
