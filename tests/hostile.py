"""Hostile plan text for tests: script vectors, a plan that puts text in every field, and a scanner.

`hostile_plan` writes a complete plan in which every kind of text field (titles,
names, Markdown prose, units, review changes...) holds the text the test chose.
`script_vectors` lists everything in a page's HTML that could run script.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO

MARKER = "alert("
"""Every vector below calls alert(; a theme script containing it came from the plan."""

VECTORS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="https://example.com/"></iframe>',
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<a href="data:text/html,<script>alert(1)</script>">data link</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="java&#x09;script:alert(1)">entity</a>',
    '<a href="vbscript:alert(1)">vbscript</a>',
    '![pic](data:image/svg+xml,<svg onload=alert(1)>)',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<p onclick="alert(1)" style="position:fixed">styled</p>',
    '<div id="__config">{"search": "javascript:alert(1)"}</div>',
    "</title><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "<!--<script>alert(1)</script>-->",
    "<details open ontoggle=alert(1)>",
    '<math><a xlink:href="javascript:alert(1)">m</a></math>',
    '## Heading <img src=x onerror=alert(1)> { onclick="alert(1)" }',
    'paragraph\n{: onclick="alert(1)" style="color:red" }',
    '[styled](https://example.com/){ onmouseover="alert(1)" }',
)

NASTY = "R&D | <b>*not* bold</b> `tick` [link] # heading \\ {braces}\n\n" + "\n\n".join(VECTORS)
"""One string with every vector and the Markdown characters that break tables and headings."""

FIELDS = (
    "org.name", "org.tagline", "org.mission", "org.vision", "org.value",
    "objective.title", "objective.owner", "objective.description", "metric.name", "metric.unit",
    "benefit.title", "benefit.description", "evidence.note",
    "team.name", "team.description", "goal.title", "goal.description", "goal.metric_name", "goal.unit",
    "goal.why", "person.name", "person.role", "person.territory", "person.segment", "person.strength",
    "individual.title", "individual.description", "individual.metric_name", "individual.unit",
    "review.title", "review.participant", "review.summary", "decision.text",
    "change.from", "change.to", "change.reason",
)
"""Every kind of text field a plan has, each filled by `hostile_plan`."""

_UNREADABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
"""Characters a YAML file cannot hold as they are (or that YAML reads as line breaks): written as escapes."""


def yaml_text(data: Any) -> str:
    """`data` as YAML that reads back to exactly `data`: JSON, with unreadable characters escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return _UNREADABLE.sub(lambda m: f"\\u{ord(m[0]):04x}" if ord(m[0]) < 0x10000 else f"\\U{ord(m[0]):08x}", text)


def hostile_plan(folder: Path, texts: Mapping[str, str]) -> Path:
    """Write a complete plan into `folder` with `texts[kind]` in every field of that kind; return it."""
    t = dict(texts)
    measure = {"metric": "custom", "baseline": 0, "target": 10, "current": 4}
    files: dict[str, Any] = {
        "organization.yaml": {"name": t["org.name"], "tagline": t["org.tagline"], "mission": t["org.mission"],
                              "vision": t["org.vision"], "period": "2026-Q4", "values": [t["org.value"]]},
        "objectives.yaml": {"objectives": [{
            "id": "grow", "title": t["objective.title"], "category": "growth", "owner": t["objective.owner"],
            "description": t["objective.description"],
            "key_metrics": [{"id": "arr", "name": t["metric.name"], "unit": t["metric.unit"],
                             "baseline": 10, "target": 12, "current": 11}],
        }]},
        "benefits.yaml": {"benefits": [{
            "id": "focus", "title": t["benefit.title"], "description": t["benefit.description"],
            "evidence": [{"objective": "grow", "metric": "arr", "note": t["evidence.note"]}],
        }]},
        "teams/alpha.yaml": {
            "name": t["team.name"], "department": "sales", "lead": "ann", "description": t["team.description"],
            "goals": [{"id": "alpha-goal", "title": t["goal.title"], "description": t["goal.description"],
                       **measure, "metric_name": t["goal.metric_name"], "unit": t["goal.unit"],
                       "period": "2026-Q4", "owner": "ann", "collaborators": ["beta"],
                       "aligns_to": [{"objective": "grow", "why": t["goal.why"]}]}],
            "people": [{"id": "ann", "name": t["person.name"], "role": t["person.role"],
                        "territory": t["person.territory"], "segments": [t["person.segment"]],
                        "strengths": [t["person.strength"]],
                        "goals": [{"id": "ann-goal", "title": t["individual.title"],
                                   "description": t["individual.description"], **measure,
                                   "metric_name": t["individual.metric_name"], "unit": t["individual.unit"],
                                   "due": "2026-11-30", "supports": ["alpha-goal"]}]}],
        },
        "teams/beta.yaml": {
            "name": f"{t['team.name']} 2", "department": "marketing", "lead": "bob",
            "goals": [{"id": "beta-goal", "title": f"{t['goal.title']} 2", "metric": "revenue", "unit": "EUR",
                       "baseline": 0, "target": 5, "period": "2026-Q4", "collaborators": ["alpha"],
                       "aligns_to": [{"objective": "grow", "why": t["goal.why"]}]}],
            "people": [{"id": "bob", "name": f"{t['person.name']} 2", "role": t["person.role"]}],
        },
        "reviews/2026-Q3.yaml": {
            "date": "2026-10-05", "title": t["review.title"], "participants": [t["review.participant"], "Ann"],
            "summary": t["review.summary"],
            "decisions": [{"text": t["decision.text"], "goals": ["alpha-goal", "beta-goal"]}],
            "changes": [{"goal": "alpha-goal", "field": "target", "from": t["change.from"], "to": t["change.to"],
                         "reason": t["change.reason"]}],
        },
    }
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml_text(data), encoding="utf-8")
    return folder


def markdown_options() -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The Markdown extensions and their settings from the repository's mkdocs.yml."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    names: list[str] = []
    settings: dict[str, dict[str, Any]] = {}
    for item in config["markdown_extensions"]:
        if isinstance(item, str):
            names.append(item)
        else:
            (name, options), = item.items()
            names.append(name)
            settings[name] = options or {}
    return names, settings


FORBIDDEN_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base"})
"""Tags that may appear nowhere on a page, theme included."""

CONTENT_ONLY_FORBIDDEN = frozenset({
    "script", "style", "link", "meta", "form", "input", "button", "textarea", "select", "template", "noscript",
    "svg", "math",
})
"""Tags the theme uses itself (its scripts, icons, search form, toggles) but plan content must never bring."""

URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "srcset", "data", "poster", "xlink:href"})
_URL_NOISE = re.compile(r"[\x00-\x20]")


FIGURE_CLASSES = frozenset({"handbook-map", "handbook-progress", "handbook-rollup"})
"""Wrappers of the handbook's own drawings (generator/sales_handbook/site/figures.py): SVG is allowed inside them, nothing else is."""


class _Scanner(HTMLParser):
    def __init__(self, content_only: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.depth = 1 if content_only else 0
        self.theme_raw: str | None = None
        self.figure_divs = 0
        """Open <div>s from a figure wrapper in: SVG is expected there, and still checked for script."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
        if tag == "div" and (self.figure_divs or set((dict(attrs).get("class") or "").split()) & FIGURE_CLASSES):
            self.figure_divs += 1
        where = "content" if self.depth else "theme"
        shown = self.get_starttag_text()
        drawing = self.figure_divs and tag == "svg"
        if tag in FORBIDDEN_TAGS or (self.depth and tag in CONTENT_ONLY_FORBIDDEN and not drawing):
            self.found.append(f"{where}: <{tag}> in {shown}")
        if self.figure_divs and tag.lower() == "foreignobject":
            self.found.append(f"{where}: <{tag}> in a drawing: {shown}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{where}: attribute {name} in {shown}")
            elif name in URL_ATTRIBUTES and _URL_NOISE.sub("", value or "").lower().startswith(
                    ("javascript:", "vbscript:", "data:")):
                self.found.append(f"{where}: script URL in {shown}")
        if not self.depth and tag in ("script", "style"):
            src = dict(attrs).get("src")
            if src is not None and "assets/javascripts/" not in src:
                self.found.append(f"theme: script from elsewhere: {shown}")
            self.theme_raw = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self.depth:
            self.depth -= 1
        if tag == "div" and self.figure_divs:
            self.figure_divs -= 1
        if tag == self.theme_raw:
            self.theme_raw = None

    def handle_data(self, data: str) -> None:
        if self.theme_raw and MARKER in data:
            self.found.append(f"theme: plan text inside <{self.theme_raw}>: {data[:80]!r}")


def script_vectors(html: str, *, content_only: bool = True) -> list[str]:
    """Everything in `html` that could run script, one line each; empty when the HTML is safe.

    With `content_only`, all of `html` is page content: no script, style or form at all.
    Otherwise `html` is a whole page: the theme's own scripts and search form are allowed
    outside `<article>`, as long as no plan text ended up inside them.
    """
    scanner = _Scanner(content_only)
    scanner.feed(html)
    scanner.close()
    return scanner.found


def article(html: str) -> str:
    """The content area of a built page: everything inside `<article ...>`."""
    match = re.search(r"<article\b.*</article>", html, re.S)
    assert match, "no <article> in the page"
    return match[0]
