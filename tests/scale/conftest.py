"""Fixtures of the scale tests (issue 5): a clean environment, and ``figures``, which records
what a test saw (commands, conflicts, kills, …).

The figures are printed in a "scale figures" section of pytest's terminal summary (no ``-s``
needed) and attached to the test as JUnit properties; with ``DISPUTES_SCALE_FIGURES=FILE`` they
are also written to FILE as JSON, for the README to quote.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.driver import clean_environment
from tests.support.stores import BACKEND

FIGURES_ENV = "DISPUTES_SCALE_FIGURES"
SEEN: list[dict[str, Any]] = []


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment(monkeypatch, tmp_path)


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[..., None]:
    """``figures(commands=…, conflicts=…)``: record this test's numbers (see the docstring)."""

    def record(**numbers: Any) -> None:
        entry = {"test": request.node.name, "backend": BACKEND, **numbers}
        SEEN.append(entry)
        for key, value in numbers.items():
            request.node.user_properties.append((key, value))

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SEEN:
        return
    terminalreporter.write_sep("-", f"scale figures ({BACKEND})")
    for entry in SEEN:
        numbers = ", ".join(f"{k} {v}" for k, v in entry.items() if k not in ("test", "backend"))
        terminalreporter.write_line(f"{entry['test']}: {numbers}")
    target = os.environ.get(FIGURES_ENV)
    if target:
        Path(target).write_text(json.dumps(SEEN, indent=1, ensure_ascii=False) + "\n")
        terminalreporter.write_line(f"(also written to {target})")
