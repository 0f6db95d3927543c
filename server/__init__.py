"""The HTTP API over the gate: `disputes serve` (docs/trust.md §4)."""
