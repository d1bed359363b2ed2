"""Check that a version may be released: ``python tools/release.py check 0.2.0`` (``make release`` runs it first).

The version must be the one version source, ``replication.__version__``, and be repeated by CITATION.cff's
``version:`` and by a ``## [0.2.0] - YYYY-MM-DD`` heading of CHANGELOG.md whose section is not empty; no tag
``v0.2.0`` may exist yet. Prints one line per problem and exits 1, or prints nothing and exits 0.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def package_version(repo: Path = REPO) -> str:
    """``__version__`` of src/replication/__init__.py, read without importing the package."""
    tree = ast.parse((repo / "src" / "replication" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError("src/replication/__init__.py defines no __version__")


def citation_version(repo: Path = REPO) -> str | None:
    match = re.search(r"^version:\s*\"?([^\"\s]+)\"?\s*$", (repo / "CITATION.cff").read_text(encoding="utf-8"), re.M)
    return match.group(1) if match else None


def changelog_section(version: str, repo: Path = REPO) -> str | None:
    """The text under CHANGELOG.md's ``## [version] - date`` heading (None if there is no such heading)."""
    text = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1).strip() if match else None


def problems(version: str, repo: Path = REPO) -> list[str]:
    if not VERSION.match(version):
        return [f"VERSION={version!r} is not of the form X.Y.Z"]
    found = []
    if package_version(repo) != version:
        found.append(f"src/replication/__init__.py says __version__ = {package_version(repo)!r}, not {version!r}")
    if citation_version(repo) != version:
        found.append(f"CITATION.cff says version: {citation_version(repo)!r}, not {version!r}")
    section = changelog_section(version, repo)
    if not section:
        found.append(f"CHANGELOG.md has no non-empty '## [{version}] - YYYY-MM-DD' section")
    tags = subprocess.run(["git", "-C", str(repo), "tag", "--list", f"v{version}"], capture_output=True, text=True)
    if tags.stdout.strip():
        found.append(f"the tag v{version} exists already")
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check"])
    parser.add_argument("version")
    args = parser.parse_args(argv)
    found = problems(args.version)
    for line in found:
        print(f"make release: {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
