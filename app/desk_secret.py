"""The desk's reply-token secret when the configuration names none: made once by `init` and
kept in a file only its owner can read, under the desk's data folder (the folder of the
SQLite database, or ./var beside a server database). Every process of the desk reads the same
file, so a Message-ID signed by `run` verifies in `poll` and after a restart. The secret never
goes to a log or to `check-config --print`."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

FILE_NAME = "reply-token.secret"
MODE = 0o600


class StoredSecretError(Exception):
    """The stored secret exists but cannot be read: the operator must look at the file."""


def data_folder(database_url: str, base: Path) -> Path:
    """Where the desk keeps its own files: next to a SQLite database, else ./var (the
    working directory: the systemd unit's state folder)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return base / "var"
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent
    return base / "var"


def secret_path(database_url: str, base: Path) -> Path:
    return data_folder(database_url, base) / FILE_NAME


def read_stored(path: Path) -> str:
    """The stored secret, or "" when there is none yet."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise StoredSecretError(f"cannot read the stored reply-token secret {path}: "
                                f"{getattr(exc, 'strerror', None) or exc}") from None


def ensure_stored(path: Path) -> bool:
    """Create the secret file (mode 0600) unless a usable one exists; True when created.
    The file appears whole or not at all (written aside, then linked into place), so two
    `init` runs at once end with one secret that both of them read."""
    if read_stored(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():            # empty or blank: never a usable secret
        path.unlink()
    aside = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, MODE)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        os.chmod(aside, MODE)    # whatever the umask
        try:
            os.link(aside, path)
        except FileExistsError:  # another init won; its secret stands
            return False
    finally:
        aside.unlink(missing_ok=True)
    return True


def readable_by_others(path: Path) -> bool:
    """A secret file that group or others may read (copied around with the wrong mode)."""
    try:
        return bool(path.stat().st_mode & 0o077)
    except OSError:
        return False
