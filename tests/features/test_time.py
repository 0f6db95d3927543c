"""Executable policy: features/time.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("time.feature")
