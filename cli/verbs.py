"""The index of the root group's verbs: each verb's module (whose ``register(group)`` adds it)
and its one-line help, so that ``disputes --help`` lists the verbs, and a verb runs, after
importing only what that verb needs (issue 15: start-up).

``tests/cli/test_verb_index.py`` checks this index against what the modules register (names,
modules, short help at every width, hidden or not): a verb added, renamed or re-described in
its module without this index fails there.
"""

from __future__ import annotations

from typing import NamedTuple

import click


class Verb(NamedTuple):
    """One root verb: its module of ``disputes.cli``, its help's first sentence (click's short
    help, untruncated), whether that text is the verb's own ``short_help`` (never shortened),
    and whether the verb is hidden from ``--help``."""

    module: str
    summary: str
    fixed: bool = False
    hidden: bool = False


VERBS: dict[str, Verb] = {
    "report": Verb(
        "writes",
        (
            "report a dispute. Who may: anyone on the roster who works on "
            "cases (in their own scope)."
        ),
        fixed=True,
    ),
    "grade": Verb(
        "writes", "first risk grade, red or yellow. Who may: leader, community police.", fixed=True
    ),
    "assign": Verb(
        "writes",
        ("name the responsible leader and officer; later a hand-over. Who may: leader."),
        fixed=True,
    ),
    "deliberate": Verb(
        "writes", "record the case conference and its plan. Who may: leader.", fixed=True
    ),
    "visit": Verb(
        "writes",
        ("a visit or phone contact while the case is open. Who may: police roles."),
        fixed=True,
    ),
    "mediate": Verb(
        "writes", "a mediation session, with partner units. Who may: police roles.", fixed=True
    ),
    "refer": Verb("writes", "refer the case to a partner unit. Who may: police roles.", fixed=True),
    "receipt": Verb(
        "writes",
        ("record the partner unit's answer to referral N. Who may: police roles."),
        fixed=True,
    ),
    "escalate": Verb("writes", "yellow → red, with reason. Who may: police roles.", fixed=True),
    "downgrade": Verb(
        "writes",
        ("red → yellow, with reason (the case's responsible leader). Who may: police roles."),
        fixed=True,
    ),
    "resolve": Verb(
        "writes",
        ("agreement reached; grade blue, observation starts. Who may: police roles."),
        fixed=True,
    ),
    "follow-up": Verb(
        "writes", "a follow-up during observation. Who may: police roles.", fixed=True
    ),
    "relapse": Verb(
        "writes",
        ("the dispute flared up again; back to red or yellow, reopened. Who may: police roles."),
        fixed=True,
    ),
    "close": Verb(
        "writes",
        (
            "strike the case off (only when 不化解不销案 allows; the responsible "
            "leader). Who may: police roles."
        ),
        fixed=True,
    ),
    "supervise": Verb(
        "writes",
        ("order follow-through on a case as a yellow or red card. Who may: leader."),
        fixed=True,
    ),
    "answer-supervision": Verb(
        "writes", "answer the case's open supervision orders. Who may: police roles.", fixed=True
    ),
    "outcome": Verb(
        "writes",
        (
            "record a serious outcome the case did not prevent (民转刑, 民转治安, "
            "命案,\n群体性事件, 越级上访). Who may: police roles."
        ),
        fixed=True,
    ),
    "transfer": Verb(
        "writes",
        (
            "hand the case to another station, naming its responsible "
            "leader and officer\nthere (a district leader; afterwards the "
            "new station owns the case). Who may: leader."
        ),
        fixed=True,
    ),
    "propose-reward": Verb(
        "writes",
        (
            "propose a reward for the case's informant (a graded case; the "
            "amount in the\npolicy's range for its kind). Who may: police "
            "roles."
        ),
        fixed=True,
    ),
    "approve-reward": Verb(
        "writes",
        (
            "approve a proposed reward (a leader of the case's station who "
            "did not\npropose it). Who may: leader."
        ),
        fixed=True,
    ),
    "reject-reward": Verb(
        "writes",
        ("reject a proposed reward (a leader who did not propose it). Who may: leader."),
        fixed=True,
    ),
    "pay-reward": Verb(
        "writes",
        (
            "record the payment of an approved reward (the policy's paying "
            "role, finance;\nnot the proposer nor the approver). Who may: "
            "the policy's paying role ([rewards] payer_role, finance)."
        ),
        fixed=True,
    ),
    "cancel-reward": Verb(
        "writes", "cancel a reward before it is paid. Who may: police roles.", fixed=True
    ),
    "show": Verb("reads", "Show one case (replayed from its events)."),
    "history": Verb(
        "reads",
        (
            "The audit trail of a case: every event in order, with "
            "occurred and recorded time, actor, policy version and "
            "details."
        ),
    ),
    "ledger": Verb(
        "reads",
        ("台账 — one row per case, filtered; ``--as-of``/``--known-at`` replay it as it stood."),
    ),
    "roster": Verb(
        "roster",
        ("The roster: units (district → station → village → grid, partner units) and people."),
    ),
    "init": Verb(
        "bulk", ("Create an empty store at --db (or DISPUTES_DB, or the default location).")
    ),
    "apply": Verb(
        "bulk", ("Apply a command journal (JSON Lines) through the same validation as the CLI.")
    ),
    "rebuild": Verb(
        "bulk",
        ("Rebuild every projection (ledger, audit trail, command log) from the first event."),
    ),
    "demo": Verb(
        "bulk",
        (
            "Load the bundled Huaiyang sample (roster + scenarios.jsonl) "
            "into a fresh store and show the ledger and the history of one "
            "case."
        ),
    ),
    "verify": Verb(
        "audit",
        (
            "Re-read the whole log, recompute every hash chain, check "
            "every checkpoint (and the heads of a witness file), every "
            "snapshot, and every view table against a replay."
        ),
    ),
    "keygen": Verb(
        "audit", ("Create an Ed25519 signing key pair for checkpoints (never overwrites).")
    ),
    "checkpoint": Verb(
        "audit",
        (
            "Sign the current head of the log and record it in the log "
            "(refused when the store does not verify)."
        ),
    ),
    "checkpoints": Verb("audit", "List the signed checkpoints."),
    "witness": Verb(
        "audit",
        ("Witness files: the signed heads, kept outside the store by the district or an auditor."),
    ),
    "export": Verb(
        "audit", ("Write a case dossier: its events, hashes, the latest checkpoint and the proof.")
    ),
    "verify-dossier": Verb("audit", "Verify a case dossier offline (no store needed)."),
    "policy": Verb("audit", "The policy in force and every version ever used."),
    "due": Verb(
        "due",
        (
            "跟办 — the due board: one row per item due by the end of the "
            "day of --on (or already overdue), most urgent first: red "
            "card, yellow card, then earliest due."
        ),
    ),
    "handover": Verb(
        "handover",
        (
            "交接 — list PERSON's open cases (as responsible leader or "
            "officer) and hand them over: ``--to PERSON`` re-assigns "
            "within the station (a leader of the station, ``--as``), or "
            "``--station S --leader L --officer O`` transfers them (a "
            "district leader)."
        ),
    ),
    "accounts": Verb(
        "accounts", ("Accounts for signing in to the server (a system administrator's, with --as).")
    ),
    "access-log": Verb(
        "access_log",
        (
            "查阅日志 — who read which cases, when, for what purpose, masked "
            "or not, and every refused attempt, oldest first."
        ),
    ),
    "import-ledger": Verb(
        "importing",
        (
            "导入台账 — turn an office's ledger (.xlsx, or CSV in UTF-8 or "
            "GB18030) into a command journal for `disputes apply`."
        ),
    ),
    "stats": Verb(
        "stats",
        (
            "统计 — the figures of a period (reported, found actively, "
            "graded, settled, relapses, medians, overdue, referrals, "
            "outcomes), per group; each is defined in docs/statistics.md."
        ),
    ),
    "report-month": Verb(
        "monthly",
        (
            "排查化解情况表 — the monthly report (MONTH as 2021-11) as an Excel "
            "workbook: summary per station, 台账 of every case in scope, "
            "charts by category, month and colour."
        ),
    ),
    "rating": Verb(
        "rating",
        (
            "五星警务室 — rate every village police room for a half year (HALF "
            "as 2022H1): the inputs counted from events, the score and the "
            "stars, under the policy's [rating]."
        ),
    ),
    "rewards": Verb(
        "rewards",
        (
            "信息员奖励 — the rewards list, filtered; informants masked for "
            "readers (--as) who may not know them."
        ),
    ),
    "informants": Verb(
        "rewards",
        (
            "治安信息员 — per informant and station: reports made, graded, "
            "resolved (by when reported), rewards paid and their amount "
            "(by when paid); masked as in ``rewards``."
        ),
    ),
    "serve": Verb(
        "serve",
        (
            "Serve the store over HTTPS (JSON at /api, OpenAPI at "
            "/api/openapi.json) to the CLI and other clients, who sign in "
            "with their accounts; plain HTTP only on a loopback host."
        ),
    ),
    "login": Verb(
        "session",
        (
            "Sign in to the server (password and the code of your "
            "authenticator); the session is kept in your config folder "
            "(mode 0600) until `logout` or its expiry."
        ),
    ),
    "logout": Verb(
        "session", "Sign out: the server ends the session and the saved token is deleted."
    ),
    "whoami": Verb("session", "Who you are signed in as, on which server, until when."),
    "intake-export": Verb(
        "intake",
        (
            "Write every report of this (intake-only) store, with its "
            "photos, as a journal signed with the intake instance's key; "
            "the administrator of the main store applies it with `disputes "
            "apply --signed FILE --key INTAKE.pub`."
        ),
    ),
}
"""Every root verb, in the order its module registers it."""


def short_help(verb: Verb, limit: int) -> str:
    """What ``disputes --help`` shows of ``verb`` in ``limit`` characters: click's own short help
    (``Command.get_short_help_str``) of a command with the verb's help."""
    if verb.fixed:
        return click.Command(None, short_help=verb.summary).get_short_help_str(limit)
    return click.Command(None, help=verb.summary).get_short_help_str(limit)
