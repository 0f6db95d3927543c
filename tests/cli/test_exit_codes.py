"""The exit codes of product.md §5 in one place: 0 done · 1 refused by a rule · 2 invalid input
or usage · 3 not found · 4 concurrent modification (safe to retry)."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from disputes.domain.errors import ConcurrentModification
from tests.support.driver import AUX, GRID, LEADER, OFFICER, Disputes, at
from tests.support.model import VERBS


@pytest.mark.parametrize(
    ("args", "actor", "code"),
    [
        (["visit", "{case}", "--at", at(2)], AUX, 0),
        (["downgrade", "{case}", "--reason", "r", "--at", at(2)], OFFICER, 1),  # not the leader
        (["visit", "{case}", "--at", "tomorrow"], AUX, 2),
        (["visit", "HY-2024-0404", "--at", at(2)], AUX, 3),
        (["visit", "{case}", "--at", at(2)], GRID, 1),
        (["visit", "{case}", "--at", at(2), "--bogus"], AUX, 2),
        (["show", "{case}", "--json"], None, 0),
        (["show", "HY-2024-0404"], None, 3),
        (["history", "{case}"], None, 0),
        (["history", "HY-2024-0404", "--json"], None, 3),
    ],
)
def test_exit_codes(d: Disputes, args: list[str], actor: str | None, code: int) -> None:
    case = d.open_case()
    result = d(*(a.format(case=case) for a in args), actor=actor, code=code)
    if code:
        assert result.stderr.strip()
        assert result.stdout == ""


def test_a_concurrent_modification_exits_4(d: Disputes, monkeypatch: pytest.MonkeyPatch) -> None:
    case = d.open_case()

    def conflict(*_args: object, **_kwargs: object) -> None:
        msg = "another officer changed the case at the same time; retry the command"
        raise ConcurrentModification(msg)

    monkeypatch.setattr("disputes.domain.application.DisputesApp.execute", conflict)
    result = d("--lang", "en", "visit", case, "--at", at(2), actor=AUX, code=4)
    assert "retry" in result.stderr
    assert "请重试" in d("visit", case, "--at", at(2), actor=AUX, code=4).stderr


def test_errors_are_one_line_on_stderr_prefixed_error(d: Disputes) -> None:
    case = d.open_case()
    result = d("escalate", case, "--reason", "r", "--at", at(2), actor=LEADER, code=1)
    assert result.stderr.startswith("error: 等级规则：")
    assert result.stderr.count("\n") == 1
    result = d(
        "escalate", case, "--reason", "r", "--at", at(2), "--lang", "en", actor=LEADER, code=1
    )
    assert result.stderr.startswith("error: grade rule:")
    assert result.stderr.count("\n") == 1


def test_help_and_version(bare: Disputes) -> None:
    text = bare("--help").stdout
    for verb in (*VERBS, "ledger", "apply", "demo", "rebuild", "roster"):
        assert f"  {verb} " in text
    assert version("disputes") in bare("--version").stdout
