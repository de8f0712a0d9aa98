"""Where the database lives: --database, SOLLHABEN_DATABASE_URL, or a file in the user's data dir."""
from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "Sollhaben"
ENV_DATABASE_URL = "SOLLHABEN_DATABASE_URL"


def default_database_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "sollhaben.sqlite"


def database_url(explicit: str | None = None) -> str:
    if explicit:
        return explicit if "://" in explicit else f"sqlite:///{Path(explicit).resolve()}"
    from_env = os.environ.get(ENV_DATABASE_URL)
    if from_env:
        return from_env
    path = default_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return "unbekannt"
