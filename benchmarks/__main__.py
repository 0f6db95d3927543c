"""``python -m benchmarks --cases 100000 --json`` (see BENCHMARKS.md)."""

from benchmarks.run import main

raise SystemExit(main())
