"""Executable policy: features/grading.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("grading.feature")
