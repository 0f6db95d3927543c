"""Executable policy: features/jurisdiction.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("jurisdiction.feature")
