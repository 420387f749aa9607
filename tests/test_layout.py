"""The package layout keeps its promises (DESIGN.md §4): layers import only downwards, no
import circles, no imports hidden in functions, small modules, no SQL outside queries/.

The import graph is read from the source (ast), so a circle fails here even when Python
would tolerate it at run time.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "marketpulse"

# Layers from the bottom up; a module may import its own layer and those below it.
LAYERS = [
    {"errors", "numbers", "i18n", "festival", "export", "coords"},
    {"store"},
    {"auth"},  # accounts, sessions, roles, audit: below everything that runs within a user's scope
    {"rollup"},  # below ingest: an import refreshes the roll-ups of the weeks it touched
    {"ingest"},
    {"rules"},
    {"metrics"},
    {"lake"},  # the store as Parquet, Hive-partitioned by week, and the DuckDB serving store over it
    {"spark"},  # named queries and scopes on Spark over the lake; only cli imports it
    {"forecast"},
    {"supply"},
    {"simulate"},
    {"views"},
    {"ui"},  # Streamlit furniture and plotly figures
    {"report"},  # the 周报 document: views drawn with ui's figures
    {"deliver"},  # the 周报 and alerts sent out by e-mail and group robots
    {"cli", "__main__"},
]
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}
MAX_LINES = 400
LONG_ALLOWED = {"marketpulse.i18n"}  # the string table


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> list[tuple[str, ast.AST]]:
    """marketpulse modules imported by `name`, each with its import node."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node) for a in node.names if a.name.startswith("marketpulse")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            if not base.startswith("marketpulse"):
                continue
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append((target if target in MODULES else base, node))
    return found


def graph() -> dict[str, set[str]]:
    return {name: {t for t, _ in imports_of(name) if t in MODULES and t != name} for name in MODULES}


def top(name: str) -> str:
    return name.split(".")[1] if "." in name else name


def test_every_module_sits_in_a_layer():
    unplaced = sorted({top(n) for n in MODULES if n != "marketpulse"} - set(LAYER_OF))
    assert not unplaced, f"add these to LAYERS (and DESIGN.md §4): {unplaced}"


def test_no_import_circles():
    g = graph()
    # Tarjan's strongly connected components: any component of more than one module is a circle
    index, low, stack, on, circles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in g:
        if v not in index:
            visit(v)
    assert not circles, f"import circles: {circles}"


def test_imports_only_go_down_the_layers():
    upward = []
    for name in MODULES:
        if name == "marketpulse":
            continue
        for target, _ in imports_of(name):
            if target == "marketpulse" or top(target) == top(name):
                continue
            if LAYER_OF[top(target)] > LAYER_OF[top(name)]:
                upward.append(f"{name} → {target}")
    assert not upward, "upward imports:\n" + "\n".join(sorted(set(upward)))


def test_nothing_imports_the_cli():
    users = [
        f"{n} → {t}" for n in MODULES if top(n) not in ("cli", "__main__") for t, _ in imports_of(n) if top(t) == "cli"
    ]
    assert not users, users


def test_no_import_inside_a_function():
    inside = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inside += [
                    f"{name}.{fn.name}:{n.lineno}" for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))
                ]
    assert not inside, inside


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name):
    if name in LONG_ALLOWED:
        return
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


@pytest.mark.parametrize("name", sorted(n for n, p in MODULES.items() if p.name == "__init__.py"))
def test_each_package_says_what_lives_there(name):
    doc = ast.get_docstring(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    assert doc and len(doc.splitlines()) >= 2, f"{name}: its docstring says what lives there and what it may import"


def test_library_code_logs_instead_of_printing():
    printing = []
    for name, path in MODULES.items():
        if top(name) in ("cli", "__main__"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        printing += [
            f"{name}:{n.lineno}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]
    assert not printing, printing


# A SQL statement written as a Python string: a keyword that starts a statement followed by
# one that only SQL puts after it.
SQL_TEXT = re.compile(r"^\s*(select|with|insert|update|delete|create)\b.*\b(from|into|table|view|set)\b", re.I | re.S)
# Statements a writer issues that are not queries: schema probes and DDL of its own machinery
SQL_ALLOWED_MODULES = {
    "marketpulse.store",
    "marketpulse.ingest",
    "marketpulse.rollup",
    "marketpulse.lake",  # catalog probes, COPY to Parquet and the serving store's views
    "marketpulse.rules",
    "marketpulse.simulate",
    "marketpulse.forecast",
    "marketpulse.auth.journal",  # the access journal's own SQLite file, not the store
}


def test_views_metrics_and_pages_hold_no_sql():
    found = []
    paths = {n: p for n, p in MODULES.items() if not any(n.startswith(a) for a in SQL_ALLOWED_MODULES)}
    paths.update({f"app_pages.{p.stem}": p for p in (ROOT / "app_pages").glob("*.py")})
    paths["app"] = ROOT / "app.py"
    for name, path in paths.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.match(node.value):
                found.append(f"{name}:{node.lineno}: {node.value.strip()[:60]}")
    assert not found, "SQL belongs in queries/:\n" + "\n".join(found)


def test_every_module_imports_in_a_fresh_interpreter():
    """Import in reverse layer order (top first), so a hidden dependency on import order shows."""
    order = sorted(MODULES, key=lambda n: -LAYER_OF.get(top(n), 0))
    order = [n for n in order if n != "marketpulse.__main__"]
    code = f"import importlib\nfor name in {order!r}:\n    importlib.import_module(name)\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
