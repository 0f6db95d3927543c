"""product.md §4: the policy file — bundled defaults, its version (a hash of the file), and a
locality's own file named by DISPUTES_POLICY, validated with errors that name the key."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from typing import TYPE_CHECKING

import pytest

from disputes.cli.exits import exit_code
from disputes.domain.application import DisputesApp
from disputes.domain.errors import InvalidInput
from disputes.domain.policy import POLICY_ENV, load_policy, parse_policy
from tests.domain.support import NOW, Driver, make_roster

if TYPE_CHECKING:
    from pathlib import Path

BUNDLED = resources.files("disputes.domain").joinpath("policy.toml").read_bytes()


def test_bundled_default_has_the_ten_categories_of_product_md() -> None:
    policy = load_policy()
    assert set(policy.categories) == {
        "marriage-family",
        "support-inheritance",
        "neighbour",
        "land-homestead",
        "debt-loan",
        "labour-wages",
        "personal-injury",
        "property-damage",
        "trade-business",
        "group-sensitive",
    }
    assert policy.categories["neighbour"].zh == "邻里纠纷"
    assert policy.categories["debt-loan"].zh == "债务及民间借贷纠纷"


def test_bundled_default_has_the_five_sources_and_twelve_signals() -> None:
    policy = load_policy()
    assert set(policy.sources) == {
        "visit",
        "informant",
        "incident-analysis",
        "court-notice",
        "walk-in",
    }
    assert set(policy.signals) == {
        "weapons",
        "threat-of-violence",
        "violence-occurred",
        "self-harm-risk",
        "group",
        "petition-risk",
        "mental-disorder",
        "repeated-calls",
        "long-standing-grievance",
        "vulnerable-party",
        "large-sum",
        "drinking",
    }
    assert policy.sources["court-notice"].zh == "警法联调"


def test_bundled_default_observation_and_cadence() -> None:
    policy = load_policy()
    observation = policy.observation
    assert (observation.default_days, observation.minimum_days) == (180, 30)
    assert observation.follow_up_max_gap_days == 30
    cadence = policy.cadence
    assert (cadence.red_first_contact_hours, cadence.red_contact_every_days) == (24, 1)
    assert (cadence.yellow_first_contact_days, cadence.yellow_contact_every_days) == (2, 7)
    assert cadence.follow_up_every_days == 30
    assert 0 < policy.time.clock_skew_minutes <= 10  # "a few minutes"


def test_the_version_is_the_first_12_hex_digits_of_the_sha256_of_the_file() -> None:
    policy = load_policy()
    assert re.fullmatch(r"[0-9a-f]{12}", policy.version)
    assert policy.version == hashlib.sha256(BUNDLED).hexdigest()[:12]
    assert policy.text == BUNDLED.decode("utf-8")


def test_any_change_to_the_file_changes_the_version(tmp_path: Path) -> None:
    changed = tmp_path / "policy.toml"
    changed.write_bytes(BUNDLED + b"\n# a comment only\n")
    policy = load_policy(changed)
    assert policy.version == hashlib.sha256(changed.read_bytes()).hexdigest()[:12]
    assert policy.version != load_policy().version
    assert policy.categories == load_policy().categories


def test_disputes_policy_names_a_locality_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "local.toml"
    text = BUNDLED.decode("utf-8").replace("minimum_days = 30", "minimum_days = 60")
    text += '\n[categories.water]\nzh = "用水纠纷"\nen = "water"\n'
    local.write_text(text, encoding="utf-8")
    monkeypatch.setenv(POLICY_ENV, str(local))

    policy = load_policy()
    assert policy.observation.minimum_days == 60
    assert "water" in policy.categories
    assert policy.version == hashlib.sha256(local.read_bytes()).hexdigest()[:12]


def test_the_application_applies_and_stamps_the_policy_of_disputes_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "local.toml"
    text = BUNDLED.decode("utf-8").replace("minimum_days = 30", "minimum_days = 60")
    text += '\n[categories.water]\nzh = "用水纠纷"\nen = "water"\n'
    local.write_text(text, encoding="utf-8")
    monkeypatch.setenv(POLICY_ENV, str(local))

    app = DisputesApp({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: NOW)
    app.load_roster(make_roster())
    d = Driver(app, app.execute)
    case = d.reported(category="water")
    d.act("grade", case)
    with d.nothing_stored(), pytest.raises(InvalidInput) as short:
        d.act("resolve", case, observe_days=45)
    assert short.value.field == "observe_days"
    d.act("resolve", case, observe_days=60)
    version = hashlib.sha256(local.read_bytes()).hexdigest()[:12]
    assert {e.policy_version for e in d.stored_since(0) if hasattr(e, "policy_version")} == {
        version
    }
    app.close()


BROKEN = [
    # what to change in the bundled file, the key the error must name
    (("minimum_days = 30", "minimum_days = 0"), "observation.minimum_days"),
    (("default_days = 180", "default_days = 'half a year'"), "observation.default_days"),
    (("default_days = 180", "default_days = 20"), "observation"),  # below the minimum
    (("clock_skew_minutes = 5", "clock_skew_minutes = -1"), "time.clock_skew_minutes"),
    (("text_chars = 1000", "text_chars = 5"), "limits.text_chars"),
    (("text_chars = 1000", "text_chars = 1000\nbogus = 1"), "limits.bogus"),
    (("[categories.neighbour]", "[categories.Neighbour_X]"), "categories.Neighbour_X"),
    (('zh = "邻里纠纷"\n', ""), "categories.neighbour.zh"),
    (("red_card_after_overdue_days = 7", "red_card_after_overdue_days = 1"), "cadence"),
]


@pytest.mark.parametrize(("change", "key"), BROKEN, ids=[key for _, key in BROKEN])
def test_a_broken_policy_file_names_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str], key: str
) -> None:
    old, new = change
    text = BUNDLED.decode("utf-8")
    assert old in text
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setenv(POLICY_ENV, str(broken))

    with pytest.raises(InvalidInput) as bad:
        load_policy()
    assert exit_code(bad.value) == 2
    assert str(broken) in bad.value.field
    assert f"[{key}" in bad.value.field  # "<file> [<key path>]"


def test_a_policy_without_categories_is_refused() -> None:
    with pytest.raises(InvalidInput) as bad:
        parse_policy(b'name = "x"\n[sources.visit]\nzh = "a"\nen = "b"\n', "p.toml")
    assert "categories" in bad.value.field


def test_a_file_that_is_not_toml_is_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[observation\ndefault_days = 180\n", encoding="utf-8")
    monkeypatch.setenv(POLICY_ENV, str(broken))
    with pytest.raises(InvalidInput) as bad:
        load_policy()
    assert bad.value.field == str(broken)
    assert "TOML" in bad.value.reason


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "gbk.toml"
    broken.write_bytes('name = "淮阳"\n'.encode("gbk"))
    with pytest.raises(InvalidInput) as bad:
        load_policy(broken)
    assert bad.value.field == str(broken)


def test_a_missing_policy_file_names_disputes_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(POLICY_ENV, str(tmp_path / "nowhere.toml"))
    with pytest.raises(InvalidInput) as bad:
        load_policy()
    assert bad.value.field == POLICY_ENV
    assert "nowhere.toml" in bad.value.reason


def test_the_application_refuses_to_start_on_a_broken_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(BUNDLED.decode("utf-8").replace("minimum_days = 30", "minimum_days = 0"))
    monkeypatch.setenv(POLICY_ENV, str(broken))
    with pytest.raises(InvalidInput):
        DisputesApp({"PERSISTENCE_MODULE": "eventsourcing.popo"})
