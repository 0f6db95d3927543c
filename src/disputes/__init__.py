"""disputes — an event-sourced workflow engine for serious village disputes.

Packages: :mod:`disputes.domain` (the model, its rules and the application service),
:mod:`disputes.projections` (read models), :mod:`disputes.cli` (the officers' CLI).
"""

__version__ = "0.1.0"
