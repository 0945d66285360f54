"""Where the files the desk ships live: the Jinja templates, the demo's sample reports and the
Alembic migrations. The one place that answers it, for a checkout and an installed wheel alike.

Nothing here builds a path from this file's place in the checkout (an installed desk has no
checkout): each data folder is found through the package that carries it, with
importlib.resources, and the wheel ships the files as package data (pyproject.toml,
[tool.setuptools.package-data]). `templates` and `samples` are importable packages only so
that they can be found this way; they hold no code. This module sits in models because every
other layer may import models (outbound renders with the templates, web will too, app loads
the samples); like the rest of models it imports no code of ours."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def folder(package: str) -> Path:
    """The folder of `package` on disk. Jinja and Alembic read plain files, so a package that is
    not unpacked on disk (a zip import) is refused here, with the reason, rather than failing
    later as a template or a migration 'not found'."""
    root = files(package)
    if not isinstance(root, Path) or not root.is_dir():
        raise RuntimeError(f"the package {package!r} is not installed as plain files ({root!r}); "
                           "install incidentdesk with pip into a virtualenv (see README)")
    return root


def templates() -> Path:
    """templates/: one folder per language (id/, en/), the shared layouts, web/ pages."""
    return folder("templates")


def samples() -> Path:
    """samples/: the sample reports `incidentdesk demo` loads (reports/*.eml) and demo.toml."""
    return folder("samples")


def migrations() -> Path:
    """models/migrations: Alembic's script_location (env.py, script.py.mako, versions/)."""
    return folder("models.migrations")
