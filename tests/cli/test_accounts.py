"""``disputes accounts create|reset|lock|unlock|list`` in local mode, ``--as`` a system
administrator: Chinese by default, English with ``--lang en``, times Asia/Shanghai to the
minute; a password or TOTP secret is printed in the one-time output of create/reset and nowhere
else; refusals exit 1 and record nothing. (The argon2 cost is the library's default here.)"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from tests.support.accounts import ADMIN, SECURITY, write_people
from tests.support.driver import UNITS, Disputes

LEADER = "L-WD-01"
OFFICER = "P-WD-01"
MINUTE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@pytest.fixture
def d(bare: Disputes, tmp_path: Path) -> Disputes:
    """A store with the sample roster and a system and a security administrator."""
    people = write_people(tmp_path)
    bare("roster", "load", "--units", str(UNITS), "--people", str(people))
    return bare


def one_time_values(output: str) -> list[str]:
    """What the one-time lines of a create/reset output hand out (each after its label)."""
    return [line.split("：", 1)[1] for line in output.splitlines() if line.startswith("  ")]


def test_create_prints_the_password_and_second_factor_once_in_chinese(d: Disputes) -> None:
    out = d("accounts", "create", LEADER, actor=ADMIN).stdout
    lines = out.splitlines()
    assert lines[0] == f"{LEADER}：已开设账号。以下内容只显示这一次，请当面交给本人："
    assert lines[1].startswith("  初始密码：")
    assert lines[2].startswith("  动态验证码密钥（手动输入）：")
    assert lines[3].startswith(f"  绑定链接（可生成二维码）：otpauth://totp/disputes:{LEADER}?")
    secret = lines[2].split("：", 1)[1]
    assert f"secret={secret}" in lines[3]


def test_create_in_english_and_as_json(d: Disputes) -> None:
    out = d("--lang", "en", "accounts", "create", LEADER, actor=ADMIN).stdout
    assert out.splitlines()[0] == (
        f"{LEADER}: account created. Shown this once only — hand it to the person:"
    )
    assert "  password: " in out
    assert "  TOTP secret (manual entry): " in out
    issued = d.json("accounts", "create", OFFICER, "--json", actor=ADMIN)
    assert set(issued) == {"person", "password", "totp_secret", "provisioning_uri"}
    assert issued["provisioning_uri"].startswith("otpauth://totp/")


def test_secrets_appear_in_no_other_output(d: Disputes) -> None:
    created = d("accounts", "create", LEADER, actor=ADMIN).stdout
    reset = d("accounts", "reset", LEADER, "--new-code", actor=ADMIN).stdout
    secrets = one_time_values(created) + one_time_values(reset)
    assert len(secrets) == 6
    assert all(len(secret) >= 12 for secret in secrets)
    outputs = [
        d("accounts", "list", actor=ADMIN),
        d("accounts", "list", "--json", actor=ADMIN),
        d("accounts", "list", LEADER, "--json", actor=ADMIN),
        d("accounts", "lock", LEADER, actor=ADMIN),
        d("accounts", "unlock", LEADER, "--json", actor=ADMIN),
        d("--lang", "en", "accounts", "list", actor=ADMIN),
        d("verify", "--json"),
        d("roster", "list", "--json"),
    ]
    for result in outputs:
        text = result.stdout + result.stderr
        assert "argon2" not in text
        assert "gAAAA" not in text  # a Fernet token
        for secret in secrets:
            assert secret not in text


def test_reset_without_a_new_code_prints_the_password_only(d: Disputes) -> None:
    d("accounts", "create", LEADER, actor=ADMIN)
    out = d("--lang", "en", "accounts", "reset", LEADER, actor=ADMIN).stdout
    assert out.splitlines()[0].startswith(f"{LEADER}: password reset.")
    assert len(out.splitlines()) == 2
    assert "otpauth" not in out


def test_list_lock_unlock(d: Disputes) -> None:
    d("accounts", "create", LEADER, actor=ADMIN)
    d("accounts", "create", OFFICER, actor=ADMIN)
    assert d("accounts", "lock", OFFICER, actor=ADMIN).stdout == f"{OFFICER} 的账号已锁定\n"
    rows = d.json("accounts", "list", "--json", actor=ADMIN)
    assert [(r["person"], r["status"], r["lock_reason"]) for r in rows] == [
        (LEADER, "active", None),
        (OFFICER, "locked", "admin"),
    ]
    assert rows[0]["created_by"] == ADMIN
    assert rows[0]["created_at"].endswith("+08:00")
    assert rows[0]["last_sign_in_at"] is None
    table = d("accounts", "list", actor=ADMIN).stdout
    assert "已锁定" in table
    assert "管理员锁定" in table
    assert MINUTE.search(table)
    assert not re.search(r"\d{2}:\d{2}:\d{2}", table)  # to the minute
    english = d("--lang", "en", "accounts", "list", actor=ADMIN).stdout
    assert "locked" in english
    assert "by an administrator" in english
    out = d("--lang", "en", "accounts", "unlock", OFFICER, actor=ADMIN).stdout
    assert out == f"account of {OFFICER} unlocked\n"


def test_refusals_name_the_rule_and_record_nothing(d: Disputes) -> None:
    d("accounts", "create", LEADER, actor=ADMIN)
    err = d.fails("accounts", "unlock", LEADER, actor=ADMIN, code=1)
    assert "账号未锁定" in err
    err = d.fails("--lang", "en", "accounts", "create", LEADER, actor=ADMIN, code=1)
    assert "already has an account" in err
    assert "accounts reset L-WD-01" in err
    for actor in (SECURITY, LEADER):
        err = d.fails("accounts", "create", OFFICER, actor=actor, code=1)
        assert "只有系统管理员（system-admin）可以" in err
    err = d.fails("--lang", "en", "accounts", "lock", OFFICER, actor=ADMIN, code=3)
    assert "accounts create P-WD-01" in err
    err = d.fails("accounts", "create", "NOBODY", actor=ADMIN, code=2)
    assert "not on the roster" in err
    err = d.fails("accounts", "list", code=2)
    assert "--as" in err


def test_the_key_file_is_made_in_the_config_dir_with_mode_0600(d: Disputes, tmp_path: Path) -> None:
    d("accounts", "create", LEADER, actor=ADMIN)
    key = tmp_path / "xdg-config" / "disputes" / "server.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_admin_roles_act_on_no_case(d: Disputes) -> None:
    err = d.fails(
        "report",
        *("--category", "neighbour", "--source", "visit", "--village", "WD-V01"),
        *("--summary", "两家因排水争执"),
        actor=ADMIN,
        code=1,
    )
    assert "system-admin" in err
