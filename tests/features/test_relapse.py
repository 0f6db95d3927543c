"""Executable policy: features/relapse.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("relapse.feature")
