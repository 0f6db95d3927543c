"""The benchmark (issue 6) on a tiny store: it runs end to end and reports every figure.

Correctness only — no timing is asserted (timings on a shared CI machine mean nothing here).
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.generate import LONG_ALIAS, LONG_EVENTS, generate, load_templates
from benchmarks.run import main, render, run

pytestmark = pytest.mark.slow

KEYS = (
    "p1_apply_ratio",
    "p2_flat_ratio",
    "p3_rebuild_ratio",
    "p4_history_ms",
    "p4_cli_ratio",
    "p4_help_ratio",
    "p5_ledger_ms",
)


def test_the_generator_is_deterministic_and_keeps_the_samples_mix() -> None:
    lines = generate(60, seed=7)
    assert lines == generate(60, seed=7)
    assert lines != generate(60, seed=8)
    parsed = [json.loads(text) for text in lines]
    ids = [line["id"] for line in parsed]
    assert len(ids) == len(set(ids))
    assert sum(1 for line in parsed if line["case"] == LONG_ALIAS) == LONG_EVENTS
    verbs = Counter(line["command"] for line in parsed if line["case"] != LONG_ALIAS)
    assert verbs["report"] == 60
    sample = Counter(line.head.rsplit('"', 2)[-2] for t in load_templates() for line in t.lines)
    assert set(verbs) <= set(sample)
    assert 12 <= (sum(verbs.values()) / 60) <= 30  # ≈ 20 commands per case, as in the sample
    times = [line["at"] for line in parsed]
    per_case: dict[str, list[str]] = {}
    for line in parsed:
        per_case.setdefault(line["case"], []).append(line["at"])
    assert all(at == sorted(at) for at in per_case.values())
    assert times == sorted(times)


def test_a_tiny_run_reports_every_figure(tmp_path: Path) -> None:
    results = run([40], tmp_path, 1, small=25, quick=True)

    for key in KEYS:
        assert isinstance(results[key], float), key
        assert results[key] > 0, key
    due_board = importlib.util.find_spec("disputes.projections.due_board") is not None
    assert ("p5_due_ms" in results) == due_board
    assert set(results["floors"]) >= {
        "p1_bare_save_commands_per_s",
        "p3_decoded_read_events_per_s",
        "p4_import_ms",
    }
    p1 = results["details"]["p1"]
    assert set(p1) == {"25", "40"}
    for build in p1.values():
        assert build["failed"] == 0
        assert build["applied"] == build["commands"]
        assert build["events"] > build["commands"]  # case numbers are events too
    assert results["details"]["p3"]["rebuild_events"] == p1["40"]["applied"]
    assert set(results["targets"]) >= set(KEYS)
    table = render(results)
    assert "P1 apply" in table
    assert "machine noise" in table


def test_the_command_line_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--cases", "30", "--workdir", str(tmp_path), "--json", "--quick"])
    assert code == 0
    results = json.loads(capsys.readouterr().out)
    assert results["cases"] == 30
    assert all(key in results for key in KEYS)
