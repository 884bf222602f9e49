"""The files the package carries — templates, static files, migrations,
data — found through :mod:`importlib.resources`, never by a path relative
to a checkout: the same code runs from the repository (the editable
install maps ``incident.templates`` to the top-level ``templates/``) and
from the installed wheel (where it is ``incident/templates/``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def on_disk(package: str, *parts: str) -> Path:
    """``parts`` under ``package``, as a path on disk.

    Jinja's FileSystemLoader (the wording sandbox), Starlette's StaticFiles
    and Alembic want a directory, not a Traversable. pip installs a wheel
    unpacked and the editable install points at the checkout, so a regular
    package's files are always a real directory; anything else (a zip
    import) is refused here, at import, rather than failing on first use."""
    found = files(package).joinpath(*parts)
    if not isinstance(found, Path):
        raise RuntimeError(f"{package}: {'/'.join(parts)} is not a directory on disk ({found!r})")
    return found
