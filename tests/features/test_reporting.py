"""Executable policy: features/reporting.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("reporting.feature")
