"""Executable policy: features/roster_changes.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("roster_changes.feature")
