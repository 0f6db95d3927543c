"""The gate (docs/trust.md §3): everything a person does passes here — who is acting, their
scope, masking, the access log.

A :class:`Gate` wraps one :class:`~disputes.storage.store.Store` for one :class:`Viewer`. Its
reads answer exactly what the CLI prints with ``--json`` (and the server sends): the trusted
local desk (``Viewer(person=None)``) sees everything, as before the gate; a named person sees
what :func:`~disputes.domain.jurisdiction.read_level` allows them — nothing of a case out of
their scope (dropped from lists, refused for one case), names masked, or only the standing of
the cases they reported. With ``logged`` (server mode) every read that shows personal details
records an access entry (:mod:`disputes.domain.access`), and so does every refused read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from disputes.domain.access import access_entry
from disputes.domain.errors import DisputesError, NotFound, OutOfScope, RuleViolation
from disputes.domain.jurisdiction import CaseScope, ReadLevel, read_level
from disputes.domain.masking import mask_name, mask_text
from disputes.domain.roster import Role
from disputes.gate.shapes import case_json, history_json, late_marked, localise_row, to_local

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from disputes.audit.checkpoint import Checkpoint
    from disputes.domain.application import Outcome
    from disputes.domain.commands import Command
    from disputes.storage.store import Store

OWN_REPORT_KEYS = ("case_no", "status", "grade", "reported_at", "next_due_at")
"""What a grid worker sees of a case they reported (docs/trust.md §1): the case number, its
status and grade, the next step (when it is next due) and when it was reported."""
OWN_REPORT_DUE_KEYS = ("case_no", "kind", "due_at", "overdue", "grade")
"""What a grid worker sees of a due item of a case they reported (the next step)."""
FREE_TEXT = ("summary", "note", "reason", "plan", "agreement", "answer")
"""Fields that may mention a party by name, or a phone or ID number."""
ACCESS_LOG_ROLES = (Role.AUDIT_ADMIN, Role.AUDITOR)
"""Who reads the access log (issue 11 §3): the audit administrator and auditors."""


@dataclass(frozen=True)
class Viewer:
    """Who is reading or acting (docs/trust.md §3)."""

    person: str | None
    """A roster person id; None: the trusted local desk (no scope, no masking, no log)."""
    purpose: str | None = None
    """The purpose code (policy ``[access] purposes``) of every read, unless a read names one."""
    logged: bool = False
    """Server mode: reads of personal data record access entries."""
    os_user: str | None = None
    """Local mode: the operating-system account, recorded beside the actor of each command."""


class NotTheSignedInPerson(RuleViolation):
    """docs/trust.md §3: a command's actor must be the person at the gate."""

    def __init__(self, actor: str, person: str) -> None:
        super().__init__(
            f"identity rule: the command names {actor} as its actor, but {person} is acting; "
            "a person records commands only in their own name",
            zh=f"身份规则：该命令的操作人是 {actor}，但当前操作的是 {person}；只能以本人名义办理",
        )


class Gate:
    """The store as one viewer may use it. Methods answer the ``--json`` of the CLI verb of the
    same name; ``RemoteGate`` (the CLI as the server's client) has the same methods."""

    def __init__(self, store: Store, viewer: Viewer | None = None) -> None:
        self.store = store
        self.viewer = viewer or Viewer(person=None)

    # -- writes ----------------------------------------------------------------------------------

    def execute(self, command: Command) -> Outcome:
        """Record one command (``Store.execute``). Raises :class:`NotTheSignedInPerson` when a
        person is at the gate and the command names someone else; the viewer's ``os_user`` is
        recorded beside the actor."""
        person = self.viewer.person
        if person is not None and command.actor != person:
            raise NotTheSignedInPerson(command.actor, person)
        return self.store.execute(command, os_user=self.viewer.os_user)

    # -- reads -----------------------------------------------------------------------------------

    def show(
        self,
        case_no: str,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        *,
        purpose: str | None = None,
    ) -> dict[str, Any]:
        """``show --json``: one case replayed from its events (as it stood at ``as_of``
        occurred time / ``known_at`` recorded time), with its standing on the due board."""
        store = self.store
        purpose = self._purpose(purpose)
        if as_of is None and known_at is None:
            case = store.case(case_no)
        else:
            from disputes.audit.replay import case_as_of

            case = case_as_of(store, case_no, as_of, known_at)
        level = self._one(
            "show", self._scope(case.case_no) or CaseScope.of(case), purpose, refuse_own=False
        )
        data = case_json(case)
        data.update(store.due_summary(data["case_no"], as_of).as_row())
        data["next_due_at"] = to_local(data["next_due_at"])
        if level is ReadLevel.OWN_REPORT:
            return {key: data[key] for key in OWN_REPORT_KEYS}
        self._record("show", [data["case_no"]], purpose, level)
        if level is ReadLevel.MASKED:
            return _without_informant(_masked_case(data), case.informant)
        return data

    def history(self, case_no: str, *, purpose: str | None = None) -> list[dict[str, Any]]:
        """``history --json``: the audit trail of a case, each event marked late (补录) or not."""
        store = self.store
        purpose = self._purpose(purpose)
        rows = store.history(case_no)  # CaseNotFound first
        level = ReadLevel.FULL
        if self.viewer.person is not None:
            scope = self._scope(case_no) or CaseScope.of(store.case(case_no))
            level = self._one("history", scope, purpose, refuse_own=True)
        entries = history_json(late_marked(rows, _late_thresholds(store)))
        self._record("history", [case_no], purpose, level)
        if level is ReadLevel.MASKED:
            informant = next((e.get("informant") for e in entries if e.get("informant")), None)
            return [_without_informant(e, informant) for e in _masked_history(entries)]
        return entries

    def ledger(
        self,
        *,
        status: str | None = None,
        grade: str | None = None,
        station: str | None = None,
        category: str | None = None,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        purpose: str | None = None,
    ) -> list[dict[str, Any]]:
        """``ledger --json``: one row per case the viewer may see, filtered, as it stands now
        (or as it stood, ``as_of``/``known_at``)."""
        from disputes.domain.errors import InvalidInput
        from disputes.domain.roster import UnitKind

        store = self.store
        purpose = self._purpose(purpose)
        if station is not None:
            store.app.roster.unit(station, UnitKind.STATION, "--station")
        if category is not None and category not in store.policy.categories:
            raise InvalidInput("--category", f"'{category}' is not in the policy")
        filters = {"status": status, "grade": grade, "station": station, "category": category}
        if as_of is None and known_at is None:
            rows = store.ledger(**filters)
        else:
            from disputes.audit.replay import ledger_as_of

            rows = store.with_standing(ledger_as_of(store, as_of, known_at, **filters), as_of)
        shown = [localise_row(r) for r in rows]
        return self._scoped_rows(shown, purpose, OWN_REPORT_KEYS)

    def due(
        self,
        on: datetime | None = None,
        *,
        station: str | None = None,
        officer: str | None = None,
        leader: str | None = None,
        overdue: bool = False,
        purpose: str | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """``due --json``: the due board at ``on`` (default now), most urgent first, of the
        cases the viewer may see; with ``until``, also every item falling due by then. For a
        community officer's board (``--officer P``, else the viewer P) when P owns sectors
        (包片): the cases of villages in P's own sectors first, then the rest, each part most
        urgent first (issue 11 §1)."""
        from disputes.domain.jurisdiction import sector_villages

        store = self.store
        _check_due_filters(store, station, officer, leader)
        moment = on or store.app.clock()
        items = store.due(
            moment,
            overdue=overdue,
            station=station,
            officer=officer,
            leader=leader,
            until=until,
        )
        rows = [item.as_json() for item in items]
        shown = self._scoped_rows(rows, self._purpose(purpose), OWN_REPORT_DUE_KEYS)
        own = sector_villages(store.app.roster, officer or self.viewer.person)
        if own:
            scopes = store.scopes()
            village = {case_no: scope[1] for case_no, scope in scopes.items()}
            shown.sort(key=lambda row: village.get(row.get("case_no", "")) not in own)
        return shown

    def verify(
        self,
        key: Ed25519PublicKey | None = None,
        witness: Sequence[Checkpoint] | None = None,
    ) -> dict[str, Any]:
        """``verify --json``: the whole log re-read, every chain, checkpoint, witnessed head,
        snapshot and view (the access log's too) checked. ``intact`` says whether all is."""
        from disputes.audit.log import verify_store

        report = verify_store(self.store, key, witness)
        return {**report.as_json(), "key_pinned": key is not None}

    def rewards(self, *, purpose: str | None = None, **options: Any) -> list[dict[str, Any]]:
        """``rewards --format json`` rows (issue 13; options as ``Store.rewards``): the
        informant masked where the viewer may not know them; the rows read unmasked by a person
        are an access entry (server mode)."""
        purpose = self._purpose(purpose)
        rows = self._rewards_in_scope(
            self.store.rewards(self.viewer.person, purpose=purpose, **options), purpose
        )
        seen = sorted({r["case_no"] for r in rows if not r["masked"]})
        if seen:
            self._record("rewards", seen, purpose, ReadLevel.FULL)
        return rows

    def informants(self, *, purpose: str | None = None, **options: Any) -> list[dict[str, Any]]:
        """``informants --json`` rows (issue 13; options as ``Store.informant_figures``),
        masked like :meth:`rewards`; an unmasked read by a person is an access entry."""
        purpose = self._purpose(purpose)
        rows = self.store.informant_figures(self.viewer.person, purpose=purpose, **options)
        if any(not r["masked"] for r in rows):
            self._record("informants", [], purpose, ReadLevel.FULL)
        return rows

    def access_log(
        self,
        case: str | None = None,
        person: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """``access-log --json``: who read what, oldest first (for the audit administrator
        and auditors; the trusted desk too). Times +08:00."""
        me = self.viewer.person
        if me is not None:
            found = self.store.app.roster.people.get(me)
            if found is None or found.role not in ACCESS_LOG_ROLES:
                role = "not on the roster" if found is None else f"a {found.role}"
                raise OutOfScope(
                    me,
                    "read the access log",
                    f"{role}; the access log is the audit administrator's and auditors'",
                    zh_what="查阅访问日志",
                    zh_fix="访问日志仅供审计管理员和审计员查阅",
                )
        rows = self.store.access_log(case=case, person=person, since=since, until=until)
        return [{**row, "at": to_local(row["at"])} for row in rows]

    # -- scope, masking, the access log ----------------------------------------------------------

    def _purpose(self, purpose: str | None) -> str | None:
        return purpose if purpose is not None else self.viewer.purpose

    def _scope(self, case_no: str) -> CaseScope | None:
        """What jurisdiction needs of a case, from the views (None when they lack it)."""
        if self.viewer.person is None:
            return None
        found = self.store.scopes(case_no).get(case_no)
        return None if found is None else CaseScope(case_no, *found)

    def _rewards_in_scope(
        self, rows: list[dict[str, Any]], purpose: str | None
    ) -> list[dict[str, Any]]:
        """Reward rows whose case the viewer may read (a reward names its case, village,
        amount, proposer, approver and voucher): dropped where the read level of the case is
        NONE. The policy's paying role (finance) keeps the rows of the reward workflow it
        serves (domain/informants.py: the district's, or its own station's); the informant
        keeps their own rewards; a grid worker's own report (OWN_REPORT) shows no other."""
        from disputes.domain.informants import sees_informant

        person = self.viewer.person
        if person is None:
            return rows
        roster = self.store.app.roster
        reader = roster.people.get(person)
        if reader is None:
            return []
        payer = self.store.policy.rewards.payer_role
        scopes = self.store.scopes()
        levels: dict[str, ReadLevel] = {}
        shown = []
        for row in rows:
            case_no = row["case_no"]
            if row.get("informant") == person:  # the informant's own reward
                shown.append(row)
                continue
            if reader.role == payer:
                if sees_informant(
                    roster, person, station=row["station"], informant="", payer_role=payer
                ):
                    shown.append(row)
                continue
            if case_no not in levels:
                found = scopes.get(case_no)
                levels[case_no] = (
                    ReadLevel.NONE
                    if found is None
                    else self._level(CaseScope(case_no, *found), purpose)
                )
            level = levels[case_no]
            if level in (ReadLevel.NONE, ReadLevel.OWN_REPORT):
                continue  # a grid worker's own report shows no reward but their own (above)
            shown.append(row)
        return shown

    def _level(self, scope: CaseScope, purpose: str | None) -> ReadLevel:
        person = self.viewer.person
        if person is None:
            return ReadLevel.FULL
        return read_level(
            self.store.app.roster,
            person,
            scope,
            purpose,
            purposes=self.store.policy.access.purposes,
        )

    def _one(self, action: str, scope: CaseScope, purpose: str | None, *, refuse_own: bool) -> Any:
        """The read level of one case; a refusal (out of scope, a purpose required, and for
        ``refuse_own`` a grid worker's own report) is recorded and raised."""
        try:
            level = self._level(scope, purpose)
            if level is ReadLevel.NONE or (refuse_own and level is ReadLevel.OWN_REPORT):
                assert self.viewer.person is not None
                raise _out_of_scope(self.viewer.person, action, scope.case_no, level)
        except DisputesError as exc:
            if not isinstance(exc, NotFound):
                self._record(action, [scope.case_no], purpose, None, refused=exc.message)
            raise
        return level

    def _scoped_rows(
        self, rows: list[dict[str, Any]], purpose: str | None, own_keys: Sequence[str]
    ) -> list[dict[str, Any]]:
        """List rows the viewer may see: out-of-scope cases dropped, a grid worker's own
        reports cut to ``own_keys``. (List rows carry no party's name: nothing to mask.)"""
        if self.viewer.person is None:
            return rows
        scopes = self.store.scopes()
        shown = []
        levels: dict[str, ReadLevel] = {}
        for row in rows:
            case_no = row["case_no"]
            if case_no not in levels:
                found = scopes.get(case_no)
                levels[case_no] = (
                    ReadLevel.NONE
                    if found is None
                    else self._level(CaseScope(case_no, *found), purpose)
                )
            level = levels[case_no]
            if level is ReadLevel.NONE:
                continue
            shown.append({k: row[k] for k in own_keys} if level is ReadLevel.OWN_REPORT else row)
        return shown

    def _record(
        self,
        action: str,
        cases: Iterable[str],
        purpose: str | None,
        level: ReadLevel | None,
        *,
        refused: str = "",
    ) -> None:
        """Record an access entry when the viewer is logged (server mode) and the store can be
        written: a read of personal details (``level`` FULL or MASKED) or a refused read."""
        person = self.viewer.person
        if not self.viewer.logged or person is None or self.store.read_only:
            return
        if not refused and level not in (ReadLevel.FULL, ReadLevel.MASKED):
            return
        entry = access_entry(
            person,
            self.store.app.clock(),
            action,
            list(cases),
            purpose=purpose,
            masked=level is ReadLevel.MASKED,
            allowed=not refused,
            reason=refused,
        )
        self.store.app.record_access(entry)


def _out_of_scope(person: str, action: str, case_no: str, level: ReadLevel) -> OutOfScope:
    if level is ReadLevel.OWN_REPORT:
        return OutOfScope(
            person,
            f"read the {action} of {case_no}",
            "a grid worker sees of the cases they reported only the status and the next step "
            "(`show`)",
            zh_what=f"查阅 {case_no} 的办理记录",
            zh_fix="网格员对本人登记的案件只能查看状态和下一步（show）",
        )
    return OutOfScope(
        person,
        f"read {case_no}",
        "the case is outside their scope",
        zh_what=f"查阅 {case_no}",
        zh_fix="该案不在本人管辖范围内；请由案件所属派出所的人员查阅",
    )


def _party_names(parties: Iterable[dict[str, Any]]) -> list[str]:
    return [str(p.get("name", "")) for p in parties]


def _masked_case(data: dict[str, Any]) -> dict[str, Any]:
    """``show`` of a case with the parties' names masked, and names, phone and ID numbers
    masked in its free text."""
    names = _party_names(data["parties"])
    out = dict(data)
    out["parties"] = [{**p, "name": mask_name(str(p["name"]))} for p in data["parties"]]
    out["summary"] = mask_text(data["summary"], names)
    out["referrals"] = [_masked_fields(r, names) for r in data["referrals"]]
    out["supervision_orders"] = [_masked_fields(o, names) for o in data["supervision_orders"]]
    return out


def _masked_history(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``history`` with the parties' names masked wherever they appear."""
    names = [n for e in entries for n in _party_names(e.get("parties") or [])]
    out = []
    for entry in entries:
        masked = _masked_fields(entry, names)
        if "parties" in entry:
            masked["parties"] = [{**p, "name": mask_name(str(p["name"]))} for p in entry["parties"]]
        out.append(masked)
    return out


def _without_informant(row: dict[str, Any], informant: str | None) -> dict[str, Any]:
    """A masked reader's row without who the informant is (issue 13 §4): the ``informant``
    withheld, and the reporter or actor withheld where it is the informant."""
    if informant is None:
        return row
    return {
        k: None if k == "informant" or (k in ("reporter", "actor") and v == informant) else v
        for k, v in row.items()
    }


def _masked_fields(row: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {
        k: mask_text(v, names) if k in FREE_TEXT and isinstance(v, str) else v
        for k, v in row.items()
    }


def _late_thresholds(store: Store) -> Callable[[str], timedelta]:
    """Late-entry threshold of each policy version (the one in force when the entry was
    recorded; the current policy's when a version's text is unknown)."""
    from disputes.domain.policy import parse_policy

    known: dict[str, timedelta] = {
        store.policy.version: timedelta(hours=store.policy.audit.late_entry_hours)
    }

    def threshold(version: str) -> timedelta:
        if version not in known:
            try:
                text = store.app.get_policy_text(version)
                hours = parse_policy(text.encode("utf-8")).audit.late_entry_hours
            except NotFound:
                hours = store.policy.audit.late_entry_hours
            known[version] = timedelta(hours=hours)
        return known[version]

    return threshold


def _check_due_filters(
    store: Store, station: str | None, officer: str | None, leader: str | None
) -> None:
    """Unknown station, officer or leader: InvalidInput naming the option (exit 2)."""
    from disputes.domain.errors import InvalidInput
    from disputes.domain.roster import UnitKind

    roster = store.app.roster
    if station is not None:
        roster.unit(station, UnitKind.STATION, "--station")
    if officer is not None and roster.person(officer, "--officer").role is Role.GRID_WORKER:
        raise InvalidInput("--officer", f"{officer} is a grid worker, not a police officer")
    if leader is not None and roster.person(leader, "--leader").role is not Role.LEADER:
        raise InvalidInput("--leader", f"{leader} is not a leader on the roster")
