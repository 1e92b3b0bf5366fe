"""Settings, each resolved as: command-line option > environment > config file > default.

The config file is TOML at `$LMSCITE_CONFIG` or the user config folder
(`lmscite/config.toml`) with optional keys `db`, `email` and `eutils_url`.
The NCBI API key is read from `NCBI_API_KEY` only, so it is never in a file
lmscite reads back or writes.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lmscite.errors import InputError
from lmscite.wording import shorten

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "lmscite"
KEYS = ("db", "email", "eutils_url")


def _user_dir(kind: str) -> Path:
    import platformdirs

    finder = platformdirs.user_data_dir if kind == "data" else platformdirs.user_config_dir
    return Path(finder("lmscite", appauthor=False))


def config_path() -> Path:
    explicit = os.environ.get("LMSCITE_CONFIG")
    return Path(explicit) if explicit else _user_dir("config") / "config.toml"


@lru_cache(maxsize=1)
def _file_settings(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            settings = tomllib.load(handle)
    except OSError as exc:
        raise InputError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"config file {path} is not UTF-8 text (TOML files are UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"config file {path} is not valid TOML: {exc}") from None
    _check_settings(path, settings)
    return settings


def _check_settings(path: Path, settings: dict[str, Any]) -> None:
    """A typo or a wrong value must not be ignored: it would send lmscite to another library."""
    for key, value in settings.items():
        if key == "api_key":
            raise InputError(f"config file {path}: the NCBI API key is read from $NCBI_API_KEY only, never "
                             "from a file; remove `api_key`")
        if key not in KEYS:
            raise InputError(f"config file {path}: unknown key {key!r} (keys: {', '.join(KEYS)})")
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"config file {path}: `{key}` must be text, not {shorten(repr(value))}")


def _setting(env: str, key: str) -> str | None:
    value = os.environ.get(env)
    if value:
        return value
    found = _file_settings(config_path()).get(key)
    return found.strip() if found else None


def db_path(option: Path | None = None) -> Path:
    """Where the library lives: --db, LMSCITE_DB, config `db`, else the user data folder."""
    if option is not None:
        return option.expanduser()
    chosen = _setting("LMSCITE_DB", "db")
    if chosen:
        return Path(chosen).expanduser()
    return _user_dir("data") / "library.json"


def db_is_named(option: Path | None = None) -> bool:
    """Whether the user named the library (--db, LMSCITE_DB or config `db`) rather than taking the default."""
    return option is not None or _setting("LMSCITE_DB", "db") is not None


def _check_url(url: str) -> None:
    """A mistyped E-utilities URL is bad input, not a network failure to retry."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port
    except ValueError as exc:
        raise InputError(f"the E-utilities URL {url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"the E-utilities URL {url!r} must start with http:// or https://")


@dataclass(frozen=True)
class NcbiSettings:
    """What every E-utilities request carries; `api_key` must never be shown or stored."""

    base_url: str
    email: str | None
    api_key: str | None = None

    def __repr__(self) -> str:
        key = "set" if self.api_key else "unset"
        return f"NcbiSettings(base_url={self.base_url!r}, email={self.email!r}, api_key={key})"


def ncbi_settings() -> NcbiSettings:
    base = _setting("LMSCITE_EUTILS_URL", "eutils_url") or EUTILS_URL
    if not base.endswith("/"):
        base += "/"
    _check_url(base)
    return NcbiSettings(
        base_url=base,
        email=_setting("NCBI_EMAIL", "email"),
        api_key=os.environ.get("NCBI_API_KEY") or None,
    )
