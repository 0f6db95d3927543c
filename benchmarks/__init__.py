"""Benchmarks of the disputes engine against floors measured in the same run (issue 6).

Run ``python -m benchmarks --cases 100000 --json`` from the repository root; see BENCHMARKS.md.
"""
