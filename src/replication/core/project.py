"""Where the project is: the checkout that holds the book (``_toc.yml``) and, by default, its results. Chapters and
the store find it from here rather than from the current folder, so a chapter run from anywhere (papermill without
``--cwd``, a notebook opened in ``book/``) reads the same ``_toc.yml`` and writes to the same ``results/``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PROJECT_ENV", "ProjectNotFoundError", "project_root", "source_checkout"]

PROJECT_ENV = "REPLICATION_PROJECT"


class ProjectNotFoundError(RuntimeError):
    """No project folder to read the book from or write results to; the one-line message says how to name one."""


def source_checkout(module_file: str | os.PathLike) -> Path | None:
    """The source checkout whose ``src/`` holds ``module_file`` (the folder above ``src/`` with ``_toc.yml`` and
    ``pyproject.toml``); None for a package installed elsewhere, e.g. in site-packages."""
    for folder in Path(module_file).resolve().parents:
        if folder.name == "src":
            checkout = folder.parent
            if (checkout / "_toc.yml").is_file() and (checkout / "pyproject.toml").is_file():
                return checkout
    return None


def project_root() -> Path:
    """``$REPLICATION_PROJECT`` (which must hold ``_toc.yml``), else the source checkout this package lives in."""
    value = os.environ.get(PROJECT_ENV)
    if value:
        folder = Path(value).expanduser()
        if not folder.is_dir():
            raise ProjectNotFoundError(f"{PROJECT_ENV}={value}: no such folder. Fix: name the project's checkout.")
        if not (folder / "_toc.yml").is_file():
            raise ProjectNotFoundError(
                f"{PROJECT_ENV}={value}: no _toc.yml there. Fix: name the project's checkout (the folder with it)."
            )
        return folder
    checkout = source_checkout(__file__)
    if checkout is None:
        raise ProjectNotFoundError(
            f"the replication package at {Path(__file__).resolve().parents[1]} is not inside a source checkout. "
            f"Fix: set {PROJECT_ENV} to the project's folder (the one with _toc.yml)."
        )
    return checkout
