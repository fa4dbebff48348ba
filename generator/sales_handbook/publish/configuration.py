"""The MkDocs configuration of a handbook build: packaged defaults, the user's mkdocs.yml on top, safety on top of both.

A company's repository needs only its plan: without a mkdocs.yml the defaults shipped in this
package (`defaults.yml`, with the theme overrides in `sales_handbook/site/theme/`) apply, and
paths in them (site, cache) are relative to the current folder. A mkdocs.yml, when there is one,
is merged on top of the defaults the way MkDocs merges `INHERIT` (mappings key by key, lists
replaced), and its relative paths are relative to it, as in MkDocs.

Whatever the file says, three settings the handbook's safety relies on stay: the theme overrides
(`theme.custom_dir`: they escape every page title), `strict: true` (a broken link or anchor is an
error) and the `handbook` plugin (it sanitizes every page). A mkdocs.yml that changes them gets
a warning saying what was kept and why.
"""

from __future__ import annotations

import filecmp
import io
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sales_handbook.plan.diagnostics import one_line

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

DEFAULTS = Path(__file__).with_name("defaults.yml")
"""The packaged default configuration (package data)."""

THEME = Path(__file__).parents[1] / "site" / "theme"
"""The handbook's Material overrides (package data); the repository's top-level `theme` links here."""

DEFAULT_FILE = Path("mkdocs.yml")
"""The configuration `handbook` reads when none is named, if it exists in the current folder."""

THEMES = ("material", "materialx")
"""Material for MkDocs, and MaterialX (PyPI mkdocs-materialx), its maintained fork: the overrides fit both."""

PLUGIN = "handbook"
CACHE_DEFAULT = ".cache/handbook"

log = logging.getLogger("mkdocs.plugins.handbook")


class ConfigurationError(Exception):
    """The configuration cannot be used; the message names the file and how to fix it."""


def config_path(config_file: Path | None) -> Path | None:
    """The user's configuration file: `config_file` if given, else ./mkdocs.yml if it exists, else None (defaults).

    A named file that does not exist is an error: the user meant a file.
    """
    if config_file is None:
        return DEFAULT_FILE if DEFAULT_FILE.is_file() else None
    if not config_file.is_file():
        where = "is not a file" if config_file.exists() else "does not exist"
        raise ConfigurationError(f"{config_file} {where}: name an existing MkDocs configuration with --config "
                                 "FILE, or leave --config out to use ./mkdocs.yml or, without one, the handbook's "
                                 "packaged defaults")
    return config_file


def source(config_file: Path | None) -> _Source:
    """What to give MkDocs as its configuration file (`load_config`, `serve`): it is merged again each time MkDocs
    reads it, so `handbook serve` picks up edits of mkdocs.yml."""
    return _Source(config_path(config_file))


def file_path(config_file: Path | None) -> str:
    """MkDocs' `config_file_path` for `config_file`: the user's file, or the packaged defaults (whose paths the
    merge has made absolute, relative to the current folder)."""
    user = config_path(config_file)
    return str((user or DEFAULTS).resolve())


def load(config_file: Path | None, **overrides: Any) -> MkDocsConfig:
    """The validated MkDocs configuration (ConfigurationError, saying why, when it cannot be had)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    given = source(config_file)
    try:
        config = load_config(given, config_file_path=file_path(config_file), **overrides)
    except (MkDocsException, OSError, ValueError, yaml.YAMLError) as error:
        raise ConfigurationError(f"{given.name}: {one_line(error)}: fix the file (a MkDocs configuration, a "
                                 "YAML mapping; see docs/configuration.md)") from None
    cache_ignored_by_git(config)  # one made by `handbook serve` or plain `mkdocs build`
    return config


def cache_ignored_by_git(config: MkDocsConfig) -> None:
    """Make the plugin's cache folder, once a build has made it, invisible to git, as pytest does with its cache:
    a `.gitignore` holding `*` in it. Internal pages cached there then cannot be committed by accident."""
    folder = Path(config.config_file_path).parent / config.plugins[PLUGIN].config.cache_dir
    marker = folder / ".gitignore"
    try:
        if folder.is_dir() and not marker.exists():
            marker.write_text("# Written by handbook: everything here is a cache.\n*\n", encoding="utf-8")
    except OSError:
        pass  # a cache the build could write and this cannot: git lists it, nothing else changes


def merged(user_file: Path | None) -> dict[str, Any]:
    """The packaged defaults with `user_file` (if any) on top, and the safety settings on top of both."""
    import mergedeep

    with DEFAULTS.open("rb") as defaults:
        config = _read(defaults)
    if user_file is None:
        # Paths of the defaults are relative to the current folder, not to the installed package.
        config["site_dir"] = str(Path.cwd() / config["site_dir"])
        _plugin_options(config)["cache_dir"] = str(Path.cwd() / CACHE_DEFAULT)
    else:
        with user_file.open("rb") as fd:
            user = _read(fd)
        if not isinstance(user, dict):
            raise ConfigurationError(f"{user_file}: the configuration must be a YAML mapping (like 'site_name: "
                                     f"...' on its own line), not a {type(user).__name__}")
        config = mergedeep.merge(config, user)
    _keep_safe(config, user_file)
    return config


def _keep_safe(config: dict[str, Any], user_file: Path | None) -> None:
    """Put back what the handbook's safety needs, with a warning naming what `user_file` tried to change."""
    where = str(user_file or DEFAULTS)
    theme = config.get("theme")
    if isinstance(theme, str):
        theme = {"name": theme}
    if not isinstance(theme, dict):
        raise ConfigurationError(f"{where}: 'theme' must be a mapping with 'name: material'")
    config["theme"] = theme
    if theme.get("name", "material") not in THEMES:
        raise ConfigurationError(f"{where}: theme '{theme.get('name')}': the handbook's pages need Material for "
                                 "MkDocs: remove 'name:' under 'theme:' (or set it to material, or materialx for "
                                 "the MaterialX fork)")
    theme.setdefault("name", "material")
    custom = theme.get("custom_dir")
    if custom is not None and not _same_theme(Path(where).parent / str(custom)):
        _warn("handbook: %s: theme.custom_dir %r is not used: the handbook's own overrides (%s) keep every "
                    "page title escaped. Remove the line; style the site with extra_css", where, str(custom), THEME)
    theme["custom_dir"] = str(THEME)
    if config.get("strict") is not True:
        if "strict" in config:
            _warn("handbook: %s: 'strict: %s' is not used: handbook builds are strict (a broken link or "
                        "anchor is an error). Remove the line", where, config["strict"])
        config["strict"] = True
    _plugin_options(config)


def _plugin_options(config: dict[str, Any]) -> dict[str, Any]:
    """The handbook plugin's options in `config`, the plugin added (with a warning) if the plugins list lacks it."""
    plugins = config.get("plugins")
    if plugins is None:
        plugins = config["plugins"] = ["search"]
    if isinstance(plugins, dict):
        entries = plugins
    elif isinstance(plugins, list):
        entries = {}
        for entry in plugins:
            if isinstance(entry, dict):
                entries.update(entry)
            else:
                entries[str(entry)] = None
    else:
        raise ConfigurationError("'plugins' must be a list (like '- search' and '- handbook' on their own lines)")
    if PLUGIN not in entries:
        _warn("handbook: the 'handbook' plugin was missing from 'plugins:' and is added: it makes the pages "
                    "and sanitizes them")
        entries[PLUGIN] = None
    if entries.get(PLUGIN) is None:
        entries[PLUGIN] = {}
    config["plugins"] = [{name: options} if options is not None else name for name, options in entries.items()]
    return entries[PLUGIN]


def _same_theme(folder: Path) -> bool:
    """Whether `folder` holds the handbook's overrides (it is them, links to them, or is an unchanged copy)."""
    try:
        if folder.resolve() == THEME.resolve():
            return True
        return not filecmp.dircmp(folder, THEME).diff_files and (folder / "main.html").is_file() and \
            filecmp.cmp(folder / "main.html", THEME / "main.html", shallow=False)
    except OSError:
        return False


_warned: set[str] = set()


def _warn(message: str, *args: object) -> None:
    """Warn once per process: a build reads the configuration more than once."""
    text = message % args
    if text not in _warned:
        _warned.add(text)
        log.warning(text)


class _Tagged:
    """A `!relative` value of the user's file, written back as it was for MkDocs to resolve."""

    def __init__(self, tag: str, value: str) -> None:
        self.tag, self.value = tag, value


def _loader() -> type:
    from mkdocs.utils.yaml import get_yaml_loader

    loader = get_yaml_loader()
    loader.add_constructor("!relative", lambda load, node: _Tagged("!relative", load.construct_scalar(node)))
    return loader


class _Dumper(yaml.Dumper):
    pass


_Dumper.add_representer(_Tagged, lambda dump, tagged: dump.represent_scalar(tagged.tag, tagged.value))


def _read(fd: Any) -> Any:
    """A YAML configuration as MkDocs reads it (`!ENV`, `INHERIT` relative to the file), `!relative` kept as is."""
    from mkdocs.utils.yaml import yaml_load

    return yaml_load(fd, _loader())


class _Source(io.BytesIO):
    """The merged configuration as a file MkDocs can read any number of times: each read merges again."""

    def __init__(self, user_file: Path | None) -> None:
        super().__init__()
        self.user_file = user_file
        self.name = str(user_file or "the handbook's packaged defaults")

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if offset == 0 and whence == os.SEEK_SET:  # MkDocs seeks to the start before reading: merge again
            text = yaml.dump(merged(self.user_file), Dumper=_Dumper, sort_keys=False, allow_unicode=True)
            super().seek(0)
            super().truncate()
            super().write(text.encode("utf-8"))
        return super().seek(offset, whence)

    def close(self) -> None:
        """MkDocs closes what it read; this file is read again on the next rebuild."""


