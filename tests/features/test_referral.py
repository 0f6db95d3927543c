"""Executable policy: features/referral.feature (steps in conftest.py)."""

from pytest_bdd import scenarios

scenarios("referral.feature")
