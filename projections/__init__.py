"""Read models built from the dispute events: one module per question.

- :mod:`.ledger` — 台账, one row per case (``Ledger``)
- :mod:`.history` — the audit trail, every event of a case (``CaseHistory``)
- :mod:`.command_log` — which case each command id recorded (idempotent retries)
- :mod:`.due_board` — 跟办, what is due and what is late at any moment (``DueBoard``)
- :mod:`.statistics` — 统计, the facts the figures, monthly reports and ratings count
  (``Statistics``)

:mod:`.runner` catches them up from the notification log, writing rows and the tracking
position in one transaction, and rebuilds them from zero.
"""
