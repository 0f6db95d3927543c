"""Issue 10 §1: no verb that writes a file overwrites one silently. ``demo --into`` replaces
only a demo store that ``demo`` made (its SQLite header carries the demo's application id);
``export --dossier`` and ``keygen --out`` (and its ``.pub``) never replace anything. A path in a
folder that does not exist is exit 2 naming the path. A refusal leaves every file as it was.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING

import pytest

from disputes.cli.bulk import is_demo_store
from tests.support.driver import Disputes

if TYPE_CHECKING:
    from pathlib import Path

INVALID = 2


def test_demo_never_replaces_a_real_store(d: Disputes, bare: Disputes, tmp_path: Path) -> None:
    """A working store that is not the current --db: demo must not wipe it."""
    real = tmp_path / "station.db"
    store = Disputes(d.cli, d.runner, real)
    store("roster", "load", "--units", *_sample_roster())
    store.report()
    before = real.read_bytes()
    error = bare("demo", "--into", str(real), code=INVALID).stderr
    assert "--into" in error
    assert "not a demo store" in error
    assert "Choose another path" in error
    assert real.read_bytes() == before
    assert len(store.ledger()) == 1


@pytest.mark.parametrize(
    "content", [b"", b"my notes\n", b"SQLite format 3\x00" + bytes(84)], ids=["empty", "text", "db"]
)
def test_demo_never_replaces_any_other_file(bare: Disputes, tmp_path: Path, content: bytes) -> None:
    other = tmp_path / "notes.db"
    other.write_bytes(content)
    bare("demo", "--into", str(other), code=INVALID)
    assert other.read_bytes() == content


def test_demo_recognises_and_replaces_its_own_store(bare: Disputes, tmp_path: Path) -> None:
    into = tmp_path / "demo.db"
    bare("demo", "--into", str(into))
    assert is_demo_store(into)
    with closing(sqlite3.connect(into)) as connection:  # written to since: still a demo store
        connection.execute("CREATE TABLE scribble (x)")
        connection.commit()
    bare("demo", "--into", str(into))
    assert is_demo_store(into)


def test_demo_into_a_missing_folder(bare: Disputes, tmp_path: Path) -> None:
    into = tmp_path / "no" / "such" / "demo.db"
    error = bare("demo", "--into", str(into), "--lang", "en", code=INVALID).stderr
    assert f"cannot create {into}" in error
    assert not (tmp_path / "no").exists()


def test_demo_refuses_a_stray_wal_beside_a_missing_store(bare: Disputes, tmp_path: Path) -> None:
    wal = tmp_path / "demo.db-wal"
    wal.write_bytes(b"someone else's log")
    bare("demo", "--into", str(tmp_path / "demo.db"), code=INVALID)
    assert wal.read_bytes() == b"someone else's log"


def test_export_never_replaces_a_file(d: Disputes, tmp_path: Path) -> None:
    case = d.report()
    target = tmp_path / "case.json"
    target.write_text("an auditor's earlier dossier", encoding="utf-8")
    error = d("export", case, "--dossier", str(target), "--lang", "en", code=INVALID).stderr
    assert "--dossier" in error
    assert "already exists" in error
    assert target.read_text(encoding="utf-8") == "an auditor's earlier dossier"


def test_export_into_a_missing_folder(d: Disputes, tmp_path: Path) -> None:
    case = d.report()
    target = tmp_path / "missing" / "case.json"
    error = d("export", case, "--dossier", str(target), "--lang", "en", code=INVALID).stderr
    assert f"--dossier: cannot create {target}" in error
    error = d("export", case, "--dossier", str(target), code=INVALID).stderr
    assert f"无法创建 {target}：文件夹 {target.parent} 不存在" in error


def test_keygen_never_replaces_a_public_key(bare: Disputes, tmp_path: Path) -> None:
    """The private key was already refused; its public half beside it was overwritten."""
    out = tmp_path / "station.key"
    pub = tmp_path / "station.key.pub"
    pub.write_text("the key auditors trust", encoding="utf-8")
    error = bare("keygen", "--out", str(out), code=INVALID).stderr
    assert f"{pub} 已存在，未写入任何内容" in error
    assert not out.exists()
    assert pub.read_text(encoding="utf-8") == "the key auditors trust"


def test_keygen_into_a_missing_folder(bare: Disputes, tmp_path: Path) -> None:
    out = tmp_path / "keys" / "station.key"
    error = bare("--lang", "en", "keygen", "--out", str(out), code=INVALID).stderr
    assert f"--out: cannot create {out}" in error


def test_keygen_still_writes_a_new_pair(bare: Disputes, tmp_path: Path) -> None:
    out = tmp_path / "station.key"
    bare("keygen", "--out", str(out))
    assert out.exists()
    assert (tmp_path / "station.key.pub").exists()


def _sample_roster() -> list[str]:
    from tests.support.driver import PEOPLE, UNITS

    return [str(UNITS), "--people", str(PEOPLE)]
