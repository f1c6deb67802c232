"""The core is pure: stdlib only, no I/O libraries, no pandas/click/rich/yaml/sqlite3."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import klout_cli.core

CORE = Path(klout_cli.core.__file__).parent
FORBIDDEN = {"pandas", "numpy", "click", "rich", "yaml", "sqlite3", "io", "os", "pathlib", "subprocess", "socket"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_only_the_standard_library_and_itself() -> None:
    for path in sorted(CORE.glob("*.py")):
        for name in imported_modules(path):
            assert name == "klout_cli" or name in sys.stdlib_module_names, f"{path.name} imports {name}"
            assert name not in FORBIDDEN, f"{path.name} imports {name}"


def test_importing_the_core_loads_no_heavy_library() -> None:
    """Every module of the core, each loaded (the package itself loads them only when used)."""
    heavy = "('pandas', 'numpy', 'rich', 'yaml', 'click', 'sqlite3')"
    modules = ", ".join(f"klout_cli.core.{path.stem}" for path in sorted(CORE.glob("*.py")) if path.stem != "__init__")
    code = f"import sys, {modules}; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
