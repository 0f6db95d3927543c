"""The exit codes of product.md §5, decided here and only here, from the family of the error.

0 done · 1 refused by a rule · 2 invalid input or usage · 3 not found ·
4 concurrent modification (safe to retry). ``apply``: 0 when every line applied or was already
applied, else 1; 130 when Ctrl-C stopped it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from disputes.domain.errors import DisputesError

DONE = 0
REFUSED = 1
INVALID = 2
NOT_FOUND = 3
CONFLICT = 4
INTERRUPTED = 130
"""``apply`` stopped by Ctrl-C (128 + SIGINT, as shells report an interrupted program)."""


def exit_code(error: DisputesError) -> int:
    """The exit code of a domain error: a rule's refusal 1, not found 3, a concurrent
    modification 4; anything else the user sent (input, usage, the store named) 2."""
    from disputes.domain.errors import ConcurrentModification, NotFound, RuleViolation

    if isinstance(error, RuleViolation):
        return REFUSED
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, ConcurrentModification):
        return CONFLICT
    return INVALID
