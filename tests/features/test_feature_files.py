"""Guards for the executable policy itself: every feature file is collected, none hides a scenario.

pytest-bdd binds scenarios by name, so two scenarios of one feature with the same name collapse
into one test without a word; and a feature file no test module binds is never run.
"""

import re
from pathlib import Path

import pytest

STEPS = Path(__file__).parent
FEATURES = sorted((STEPS.parents[1] / "features").glob("*.feature"))
SCENARIO = re.compile(
    r"^\s*(?:场景大纲|剧本大纲|场景|剧本|Scenario Outline|Scenario|Example):(.*)$", re.MULTILINE
)


@pytest.mark.parametrize("feature", FEATURES, ids=[path.name for path in FEATURES])
def test_feature_is_bound(feature: Path) -> None:
    module = STEPS / f"test_{feature.stem}.py"
    assert module.exists(), f"no test module binds {feature.name}"
    assert f'scenarios("{feature.name}")' in module.read_text(encoding="utf-8")


@pytest.mark.parametrize("feature", FEATURES, ids=[path.name for path in FEATURES])
def test_scenario_names_are_unique(feature: Path) -> None:
    names = [name.strip() for name in SCENARIO.findall(feature.read_text(encoding="utf-8"))]
    assert names, f"{feature.name} has no scenarios"
    assert len(names) == len(set(names)), f"duplicate scenario names in {feature.name}"
