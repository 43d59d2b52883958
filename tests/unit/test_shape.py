"""The code's shape, held by tests: short functions where the story is told, a small RunJob,
and no provider wire names outside the provider adapters."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_FUNCTION_LINES = 40
# Where the use cases and the entry points live: each function a readable story.
SHORT_FUNCTIONS = ("application", "adapters/http", "adapters/cli", "bootstrap")
WIRE_NAMES = re.compile(r"size_field|resolution_field|send_duration|\*720")


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def long_functions(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [f"{path.relative_to(root)}:{node.lineno} {node.name} is {node.end_lineno - node.lineno + 1} lines"
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]


@pytest.mark.parametrize("folder", SHORT_FUNCTIONS)
def test_no_function_is_longer_than_forty_lines(folder):
    found = [line for path in python_files(folder) for line in long_functions(path)]
    assert found == []


def test_run_job_is_a_short_loop_over_steps():
    from videoforge.application.use_cases import run_job

    tree = ast.parse(Path(run_job.__file__).read_text())
    [cls] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "RunJob"]
    assert cls.end_lineno - cls.lineno + 1 < 80


def test_the_domain_and_the_use_cases_know_no_provider_wire_names():
    found = [f"{p.relative_to(ROOT)}:{n}" for p in python_files("domain", "application")
             for n, line in enumerate(p.read_text().splitlines(), 1) if WIRE_NAMES.search(line)]
    assert found == []


def test_the_shape_check_sees_a_long_function(tmp_path):
    long = tmp_path / "long.py"
    long.write_text("async def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES)
    assert long_functions(long, tmp_path) == [f"long.py:1 f is {MAX_FUNCTION_LINES + 1} lines"]
