"""The command log: which case, verb and version each command id recorded (what answers a retried
command, product.md §5 ``--command-id``)."""

from __future__ import annotations

import pytest

from disputes.domain.commands import RecordedCommand
from disputes.domain.errors import WrongStatus
from disputes.storage.store import Store
from tests.domain.support import Driver


def log(store: Store) -> list[dict[str, object]]:
    store.catch_up()
    return store.views.query(
        "SELECT command_id, case_no, verb, version FROM command_log ORDER BY case_no, version"
    )


def test_every_recorded_command_is_logged_with_case_verb_and_version(
    sd: Driver, store: Store
) -> None:
    first = sd.reported(command_id="c-1")
    sd.act("grade", first, command_id="c-2")
    sd.act("assign", first, command_id="c-3")
    second = sd.reported(command_id="c-4")
    sd.act("refer", first, command_id="c-5")
    assert log(store) == [
        {"command_id": "c-1", "case_no": first, "verb": "report", "version": 1},
        {"command_id": "c-2", "case_no": first, "verb": "grade", "version": 2},
        {"command_id": "c-3", "case_no": first, "verb": "assign", "version": 3},
        {"command_id": "c-5", "case_no": first, "verb": "refer", "version": 4},
        {"command_id": "c-4", "case_no": second, "verb": "report", "version": 1},
    ]


@pytest.mark.parametrize(
    "verb", ["deliberate", "visit", "mediate", "refer", "escalate", "downgrade", "resolve"]
)
def test_the_logged_verb_is_the_cli_verb(sd: Driver, store: Store, verb: str) -> None:
    case = sd.opened("red" if verb == "downgrade" else "yellow")
    sd.act(verb, case, command_id="the-one")
    assert store.projections.find_command("the-one") == RecordedCommand(case, verb)


def test_verbs_with_hyphens_and_renamed_events(sd: Driver, store: Store) -> None:
    case = sd.opened()
    sd.act("refer", case)
    sd.act("receipt", case, command_id="rc")
    sd.act("resolve", case)
    sd.act("follow-up", case, command_id="fu")
    assert store.projections.find_command("rc") == RecordedCommand(case, "receipt")
    assert store.projections.find_command("fu") == RecordedCommand(case, "follow-up")


def test_refused_and_retried_commands_add_nothing(sd: Driver, store: Store) -> None:
    case = sd.opened()
    sd.act("visit", case, command_id="v-1")
    before = log(store)
    with pytest.raises(WrongStatus):
        sd.act("follow-up", case, command_id="f-1")
    assert sd.act("visit", case, command_id="v-1").duplicate
    assert log(store) == before
    assert store.projections.find_command("f-1") is None


def test_an_unknown_id_is_not_found(store: Store) -> None:
    assert store.projections.find_command("never") is None
