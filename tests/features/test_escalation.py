"""Executable policy: features/escalation.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("escalation.feature")
