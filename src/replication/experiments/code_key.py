"""The key of the code that decides a stored result: the AST of every package module a computation can execute.

:func:`code_key` starts from the function that produces a payload (an experiment's ``run_*``). In that function's
own module it follows only the top-level definitions and imports the function reaches (so editing a summary or a
figure helper beside it does not throw away stored runs); every package module reached from there counts whole, with
everything it imports in turn. A module counts by its abstract syntax tree with docstrings removed, so comments,
docstrings and formatting never change the key, while any edit to code that runs does.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib.util
import os
from collections.abc import Callable

__all__ = ["CodeKey", "code_key", "module_closure"]


@dataclasses.dataclass(frozen=True)
class CodeKey:
    """The key (sha256, first 16 hex digits) and what it covers: the start function's definitions and the modules;
    ``parts``: each of them ("def <module>.<name>", "module <name>") with a key of its own, so that a changed key can
    be traced to the part that changed (``python -m replication.experiments why``)."""

    key: str
    definitions: tuple[str, ...]
    modules: tuple[str, ...]
    parts: tuple[tuple[str, str], ...] = ()


# Both by the sha256 of the source, so an edit is always seen: the parsed trees, and each module's part of a key (its
# AST dump and the package modules it imports), which ``module_closure`` would otherwise recompute on every call (a
# grid's key reaches ~35 modules: ~0.5 s a call, and the tests and chapters ask for hundreds of keys).
_PARSED: dict[bytes, ast.Module] = {}
_MODULES: dict[tuple[bytes, str, bool, str], tuple[str, tuple[str, ...]]] = {}


def _source_path(module: str) -> str | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None)
    return origin if origin and origin.endswith(".py") else None


def _read(path: str) -> tuple[bytes, ast.Module]:
    """(the sha256 of the file's source, its parsed tree)."""
    with open(path, "rb") as f:
        source = f.read()
    token = hashlib.sha256(source).digest()
    if token not in _PARSED:
        _PARSED[token] = ast.parse(source, filename=path)
    return token, _PARSED[token]


def _parse(path: str) -> ast.Module:
    return _read(path)[1]


def _strip_docstrings(node: ast.AST) -> ast.AST:
    """A copy of ``node`` without the docstrings of the module, classes and functions in it."""
    node = ast.parse(ast.unparse(node)) if isinstance(node, ast.Module) else ast.parse(ast.unparse(node)).body[0]
    for n in ast.walk(node):
        body = getattr(n, "body", None)
        if (
            isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            n.body = body[1:] or [ast.Pass()]
    return node


def _dump(node: ast.AST) -> str:
    return ast.dump(_strip_docstrings(node), annotate_fields=False)


def _absolute(module: str, level: int, name: str | None, is_package: bool) -> str:
    """The absolute name of ``from <level dots><name> import ...`` written in ``module``."""
    if level == 0:
        return name or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _imports(module: str, tree: ast.Module, is_package: bool, root: str):
    """(bound name, target module) for every import in ``tree`` of a module inside ``root``; a ``from X import y``
    targets ``X.y`` when that is a module, else ``X``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == root:
                    yield (alias.asname or alias.name.split(".")[0]), alias.name
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node.level, node.module, is_package)
            if base.split(".")[0] != root:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (alias.asname or alias.name), (sub if _source_path(sub) else base)


def module_closure(modules, root: str) -> dict[str, str]:
    """``{module: AST dump}`` for ``modules`` and every module of ``root`` they import, transitively."""
    out: dict[str, str] = {}
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        path = _source_path(name)
        if path is None:
            raise ValueError(f"cannot find the source of module {name!r} for the code key.")
        token, tree = _read(path)
        is_package = os.path.basename(path) == "__init__.py"
        part = (token, name, is_package, root)
        if part not in _MODULES:
            _MODULES[part] = (_dump(tree), tuple(target for _, target in _imports(name, tree, is_package, root)))
        out[name], targets = _MODULES[part]
        todo += [target for target in targets if target not in out]
    return out


def _top_level(tree: ast.Module) -> dict[str, ast.AST]:
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        names[n.id] = node
    return names


def code_key(fn: Callable) -> CodeKey:
    """The :class:`CodeKey` of everything ``fn`` (a top-level function of a package module) can execute."""
    module = getattr(fn, "__module__", None)
    if not module:
        raise ValueError(f"code_key needs a function defined in a module, got {fn!r}.")
    root = module.split(".")[0]
    path = _source_path(module)
    if path is None:
        raise ValueError(f"cannot find the source of module {module!r} for the code key.")
    tree = _parse(path)
    top = _top_level(tree)
    bound = dict(_imports(module, tree, os.path.basename(path) == "__init__.py", root))
    start = fn.__qualname__.split(".")[0]
    if start not in top:
        raise ValueError(f"{module}.{start} is not a top-level definition; code_key needs one.")
    seen_defs: dict[str, str] = {}
    reached_modules: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen_defs:
            continue
        node = top[name]
        seen_defs[name] = _dump(node)
        for n in ast.walk(node):
            if isinstance(n, ast.Name):
                if n.id in top and n.id not in seen_defs:
                    todo.append(n.id)
                elif n.id in bound:
                    reached_modules.add(bound[n.id])
            elif isinstance(n, (ast.Import, ast.ImportFrom)):  # imports inside the function
                sub = ast.Module(body=[n], type_ignores=[])
                reached_modules.update(t for _, t in _imports(module, sub, False, root))
    modules = module_closure(sorted(reached_modules), root)
    modules.pop(module, None)  # the start module counts by the definitions reached, not whole
    h, parts = hashlib.sha256(), []
    for label, text in [(f"def {module}.{n}", seen_defs[n]) for n in sorted(seen_defs)] + [
        (f"module {n}", modules[n]) for n in sorted(modules)
    ]:
        h.update(f"{label}\n{text}\n".encode())
        parts.append((label, hashlib.sha256(text.encode()).hexdigest()[:12]))
    return CodeKey(h.hexdigest()[:16], tuple(f"{module}.{n}" for n in sorted(seen_defs)), tuple(sorted(modules)),
                   tuple(parts))  # fmt: skip
