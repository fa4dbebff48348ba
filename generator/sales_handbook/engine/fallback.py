"""Which engine builds the handbook: MkDocs 1.6 (the default) or ProperDocs, a maintained fork of MkDocs 1.x.

ProperDocs (PyPI `properdocs`) installs beside MkDocs and, once `properdocs.replacement` is imported,
answers every `import mkdocs...`: the handbook's plugin and Material (or MaterialX, PyPI
`mkdocs-materialx`, theme name `materialx`) run on it unchanged. `HANDBOOK_ENGINE=properdocs` chooses
it; the choice has to be made before anything imports MkDocs, so the `handbook` command makes it first.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping

ENGINE_VARIABLE = "HANDBOOK_ENGINE"
ENGINES = {"mkdocs": None, "properdocs": "properdocs.replacement"}
"""Each engine and the module that puts it in MkDocs' place (None: MkDocs itself)."""


def select(environ: Mapping[str, str]) -> str | None:
    """Put the engine `environ` names in place; None when it is, else what to tell the user."""
    name = environ.get(ENGINE_VARIABLE, "").strip().lower() or "mkdocs"
    if name not in ENGINES:
        return f"{ENGINE_VARIABLE}={name!r} is no engine the handbook knows: use {' or '.join(ENGINES)}"
    module = ENGINES[name]
    if module is None:
        return None
    try:
        importlib.import_module(module)
    except ImportError:
        return (f"{ENGINE_VARIABLE}={name}, but {name} is not installed: pip install "
                f"'sales-alignment-handbook[{name}]', or unset {ENGINE_VARIABLE} to build with MkDocs")
    _share_logging(name)
    return None


def _share_logging(engine: str) -> None:
    """The engine logs as `engine`, the handbook and its plugin as 'mkdocs': each gets the other's messages.

    As under the engine's own command, 'mkdocs' becomes a child of the engine's logger (so its strict mode
    counts the plugin's warnings), and the engine's messages go to the handlers `handbook` puts on 'mkdocs'
    (so a failed build says why).
    """
    engine_logger, shown = logging.getLogger(engine), logging.getLogger("mkdocs")
    shown.parent = engine_logger
    engine_logger.setLevel(logging.INFO)
    engine_logger.addHandler(_Forward(shown))


class _Forward(logging.Handler):
    """Hands the engine's own records to the handlers of `shown`, at its level."""

    def __init__(self, shown: logging.Logger) -> None:
        super().__init__()
        self.shown = shown

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("mkdocs") or record.levelno < self.shown.getEffectiveLevel():
            return  # shown already (a child's record), or quieter than asked
        for handler in self.shown.handlers:
            if record.levelno >= handler.level:
                handler.handle(record)
