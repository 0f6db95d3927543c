"""Executable policy: features/outcome.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("outcome.feature")
