"""Executable policy: features/resolution.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("resolution.feature")
