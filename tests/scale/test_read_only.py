"""A read-only store — a read-only mount, an immutable file, a folder the user cannot write: an
auditor's copy — can be read and verified (issue 10, item 9).

Reads and ``verify`` open it read-only (SQLite ``mode=ro``, or ``immutable=1`` when the folder
cannot be written and there is no ``-shm``), create nothing and change nothing; projections that
are behind the events are named in a note on stderr; every write fails with exit 2 ("read-only")
and records nothing.

The read-only mount is a tmpfs of the test's own remounted read-only (root); the immutable file
uses ``chattr +i``; the unprivileged user is ``nobody`` through ``runuser``. Each is skipped, with
the reason, where it is not available.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.scale.test_durability import Disk, digest, sqlite_store, tmpfs
from tests.support.driver import OFFICER, PEOPLE, SAMPLES, UNITS, Disputes, at

pytestmark = pytest.mark.sqlite_only

READS = (
    ("ledger",),
    ("ledger", "--format", "json"),
    ("due",),
    ("roster", "list"),
    ("policy", "show"),
    ("checkpoints",),
    ("verify",),
)
MAIN = "from disputes.cli.main import main; main()"
GRADE = ("grade", "--grade", "red", "--reason", "对峙", "--at", at(1, 10))


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    path = tmp_path / "disk"
    path.mkdir()
    with tmpfs(path, "16m") as mounted:
        if not mounted:
            pytest.skip("a read-only mount needs root to mount a tmpfs of the test's own")
        yield Disk(path, mounted)


def signed_store(cli: Any, folder: Path) -> tuple[Disputes, str]:
    """A store in ``folder``: the sample roster, one case, a signed checkpoint."""
    d, case = sqlite_store(cli, folder)
    key = folder.parent / "station.key"
    d("keygen", "--out", str(key))
    d("checkpoint", "--key", str(key))
    return d, case


def reads(d: Disputes, case: str) -> dict[str, str]:
    """The output of every read verb (exit 0 each)."""
    found = {" ".join(args): d(*args).stdout for args in READS}
    found["show"] = d("show", case, "--json").stdout
    found["history"] = d("history", case, "--json").stdout
    dossier = Path(str(d.db)).parent.parent / "dossier.json"
    dossier.unlink(missing_ok=True)  # export never replaces a file (issue 10 item 1)
    d("export", case, "--dossier", str(dossier))
    found["export"] = dossier.read_text()
    return found


def refuses_writes(d: Disputes, case: str, folder: Path) -> None:
    key = folder.parent / "station.key"
    journal = folder.parent / "journal.jsonl"
    shutil.copy(SAMPLES / "scenarios.jsonl", journal)
    writes: list[tuple[str | None, tuple[str, ...]]] = [
        (OFFICER, (GRADE[0], case, *GRADE[1:])),
        (None, ("apply", str(journal))),
        (None, ("rebuild",)),
        (None, ("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE))),
        (None, ("checkpoint", "--key", str(key))),
    ]
    for actor, args in writes:
        result = d("--lang", "en", *args, actor=actor, code=2)
        assert result.stderr.startswith("error: "), (args, result.stderr)
        assert "read-only" in result.stderr, (args, result.stderr)
        assert str(d.db) in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert "already a disputes store: nothing changed" in d("--lang", "en", "init").stdout


def test_a_store_on_a_read_only_mount_is_read_and_verified_and_refuses_writes(
    cli: Any, disk: Disk
) -> None:
    d, case = signed_store(cli, disk.path)
    expected = reads(d, case)
    before, events = digest(disk.path), d.stored_events()
    with disk.read_only():
        seen = reads(d, case)
        refuses_writes(d, case, disk.path)
        assert digest(disk.path) == before  # no -wal/-shm either: opened immutable
    assert {k: v for k, v in seen.items() if "ledger" not in k and k != "show"} == {
        k: v for k, v in expected.items() if "ledger" not in k and k != "show"
    }
    assert case in seen["ledger"]
    assert '"verified": true' in seen["checkpoints"] or "1" in seen["checkpoints"]
    assert d.stored_events() == events
    d(GRADE[0], case, *GRADE[1:], actor=OFFICER)  # writable again: writes work


def test_projections_behind_the_events_of_a_read_only_store_are_noted(cli: Any, disk: Disk) -> None:
    """A copy whose views lag its log (taken after a crash between the two): the reads answer
    from the views as they are and say so on stderr; show replays the case from its events."""
    from disputes.domain.commands import Grade
    from disputes.storage.store import Store

    d, case = sqlite_store(cli, disk.path)
    with Store(str(d.db)) as store:  # the application alone: the views are not caught up
        command = {"actor": OFFICER, "case": case, "grade": "red", "reason": "对峙"}
        store.app.execute(Grade.model_validate(command))
    with disk.read_only():
        ledger = d("ledger", "--format", "json")
        assert "note: " in ledger.stderr
        assert "read-only" in ledger.stderr
        assert "behind its log by 1 event:" in ledger.stderr
        shown = d.show(case)
        assert (shown["version"], shown["grade"]) == (2, "red")
        d("verify")
    result = d("ledger")  # writable: caught up, no note
    assert "note:" not in result.stderr


def test_an_immutable_store_file_is_read_and_refuses_writes(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    d, case = signed_store(cli, folder)
    if subprocess.run(["chattr", "+i", str(d.db)], capture_output=True, check=False).returncode:
        pytest.skip("chattr +i is not available here (needs root and a file system with it)")
    try:
        expected = d.history(case)
        before = Path(d.db).read_bytes()
        assert d.history(case) == expected
        reads(d, case)
        refuses_writes(d, case, folder)
        assert Path(d.db).read_bytes() == before
    finally:
        subprocess.run(["chattr", "-i", str(d.db)], check=True)
    d(GRADE[0], case, *GRADE[1:], actor=OFFICER)


def test_a_store_another_user_owns_is_read_by_nobody(cli: Any) -> None:
    """``nobody`` may read the file but write neither it nor its folder."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("running the CLI as nobody needs root and runuser")
    with world_readable_folder() as folder:
        d, case = sqlite_store(cli, folder)
        before = digest(folder)

        def disputes(*args: str) -> subprocess.CompletedProcess[str]:
            argv = [sys.executable, "-c", MAIN, "--db", str(d.db), *args]
            return subprocess.run(
                ["runuser", "-u", "nobody", "--", *argv],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "HOME": str(folder)},
                cwd=folder,
            )

        probe = disputes("--version")
        if probe.returncode:
            pytest.skip(f"nobody cannot run this interpreter: {probe.stderr.strip()[:200]}")
        for args in (("ledger",), ("verify",), ("history", case)):
            result = disputes(*args)
            assert result.returncode == 0, (args, result.stderr)
        result = disputes("--lang", "en", "--as", OFFICER, GRADE[0], case, *GRADE[1:])
        assert result.returncode == 2, result.stderr
        assert "read-only" in result.stderr
        assert digest(folder) == before


@contextmanager
def world_readable_folder() -> Iterator[Path]:
    """A folder in /tmp that others may enter and read, but not write (pytest's are 0700)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="disputes-ro-"))
    try:
        folder.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_no_store_can_be_created_on_a_read_only_mount(cli: Any, disk: Disk) -> None:
    d = Disputes(cli, CliRunner(), disk.path / "new.db")
    with disk.read_only():
        for args in (("init",), ("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE))):
            result = d("--lang", "en", *args, code=2)
            assert "read-only" in result.stderr, result.stderr
            assert "nothing was created" in result.stderr, result.stderr
        assert list(disk.path.iterdir()) == []
