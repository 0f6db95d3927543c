"""Executable policy: features/closure.feature — 不化解不销案 (product.md §3)."""

from pytest_bdd import scenarios

scenarios("closure.feature")
