"""Executable policy: features/duties.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("duties.feature")
