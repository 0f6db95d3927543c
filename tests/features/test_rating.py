"""Executable policy: features/rating.feature — 五星警务室评比 (issue 12 §4)."""

from pytest_bdd import scenarios

scenarios("rating.feature")
