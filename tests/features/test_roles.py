"""Executable policy: features/roles.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("roles.feature")
