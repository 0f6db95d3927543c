"""Policy versions on every decision (issue 4 §2, §1 late entries): ``policy show`` prints the
exact policy text in force, ``--version V`` the text stored when V was first used (exit 3 for a
version never used); ``history --json`` carries ``policy_version`` on every entry and marks
entries recorded more than ``late_entry_hours`` after they occurred with ``"late": true``."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING

import pytest

from disputes.domain.clock import SHANGHAI
from tests.support.driver import LEADER, OFFICER, at

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.driver import Disputes

BUNDLED = resources.files("disputes.domain").joinpath("policy.toml").read_text("utf-8")
BUNDLED_VERSION = hashlib.sha256(BUNDLED.encode("utf-8")).hexdigest()[:12]


def ago(hours: float) -> str:
    """An occurred time ``hours`` before now (Asia/Shanghai, ISO 8601)."""
    return (datetime.now(tz=SHANGHAI) - timedelta(hours=hours)).isoformat(timespec="seconds")


@pytest.fixture
def amended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Put an amended policy in force (DISPUTES_POLICY); returns its text."""
    assert "late_entry_hours = 72" in BUNDLED
    text = BUNDLED.replace("late_entry_hours = 72", "late_entry_hours = 48")
    path = tmp_path / "policy-2025.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DISPUTES_POLICY", str(path))
    return text


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def test_policy_show_prints_the_exact_bundled_text(d: Disputes) -> None:
    result = d("policy", "show")
    assert result.stdout == BUNDLED
    assert result.stderr == f"# policy version {BUNDLED_VERSION}\n"
    assert d("policy", "show", "--version", BUNDLED_VERSION).stdout == BUNDLED


@pytest.mark.parametrize("version", ["000000000000", "deadbeef", "not-a-version"])
def test_policy_show_of_an_unknown_version_is_not_found(d: Disputes, version: str) -> None:
    d.report()
    stderr = d.fails("policy", "show", "--version", version, code=3)
    assert stderr.endswith(f"error: policy version {version} was never used in this store\n")


def test_every_policy_version_used_is_kept_with_its_exact_text(
    d: Disputes, amended: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    amended_file = os.environ["DISPUTES_POLICY"]
    monkeypatch.delenv("DISPUTES_POLICY")
    case = d.open_case()  # report, grade, assign under the bundled policy
    monkeypatch.setenv("DISPUTES_POLICY", amended_file)
    d.write("visit", case, "--note", "走访", actor=OFFICER, when=at(2))
    d.write("deliberate", case, "--plan", "包案", actor=LEADER, when=at(3))

    history = d.history(case)
    assert [e["policy_version"] for e in history] == [BUNDLED_VERSION] * 3 + [
        version_of(amended)
    ] * 2
    assert d("policy", "show").stdout == amended
    assert d("policy", "show", "--version", version_of(amended)).stdout == amended
    old = d("policy", "show", "--version", BUNDLED_VERSION)
    assert old.stdout == BUNDLED
    assert old.stderr == f"# policy version {BUNDLED_VERSION}\n"
    for version in {e["policy_version"] for e in history}:
        shown = d("policy", "show", "--version", version).stdout
        assert version_of(shown) == version

    # Each version is stored once, the first time it is used.
    d.write("visit", case, "--note", "再访", actor=OFFICER, when=at(4))
    with_policy = d.stored_events()
    monkeypatch.delenv("DISPUTES_POLICY")
    d.write("visit", case, "--note", "三访", actor=OFFICER, when=at(5))
    assert d.stored_events() == with_policy + 1


def test_history_has_the_policy_version_on_every_entry(sd: Disputes) -> None:
    for case in ("HY-2021-0001", "HY-2021-0002", "HY-2022-0001"):
        history = sd.history(case)
        assert history
        assert {e["policy_version"] for e in history} == {BUNDLED_VERSION}, case


def test_history_marks_entries_recorded_late(d: Disputes) -> None:
    """The bundled policy: late when recorded more than 72 hours after it occurred."""
    case = d.report(when=ago(24 * 10))
    d.write("grade", case, "--grade", "red", "--reason", "对峙", actor=OFFICER, when=ago(73))
    d.write("assign", case, "--leader", LEADER, "--officer", OFFICER, actor=LEADER, when=ago(71))
    d.write("visit", case, "--note", "走访", actor=OFFICER, when=ago(0.1))
    history = d.history(case)
    assert [(e["event"], e["late"]) for e in history] == [
        ("Reported", True),
        ("Graded", True),
        ("Assigned", False),
        ("Visited", False),
    ]
    assert all(e["policy_version"] == BUNDLED_VERSION for e in history)

    table = d("--lang", "en", "history", case).stdout
    assert table.count(" late") == 2
    assert d("history", case).stdout.count("补录") == 2
