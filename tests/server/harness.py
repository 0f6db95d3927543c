"""A real server for the tests: ``disputes serve`` in a subprocess (uvicorn on a free loopback
port) over a store on the backend under test, people with accounts, and ways to reach it — an
HTTP client with a person's token, and the CLI as its client (each person with a config folder
of their own, so each keeps their own session file).
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from click.testing import CliRunner

from tests.support.accounts import CHEAP_HASHER, write_people
from tests.support.driver import UNITS

if TYPE_CHECKING:
    import click
    from click.testing import Result

ADMIN = "S-HY-01"  # system administrator (tests/support/accounts.py)
AUDIT = "U-HY-01"  # audit administrator, added here
LEADER = "L-WD-01"  # leader, station WD
OTHER_LEADER = "L-DM-01"  # leader, station DM
GRID = "G-WD-V01-G1"  # grid worker of village WD-V01 (station WD)
OFFICER = "P-WD-01"  # community police, WD
EXTRA = f"{AUDIT},葛文静,audit-admin,HY\n"
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


SAFE_SECONDS = 10
"""A previous step's code sent this close to the end of the current step may reach the server
after the step changed, when it is refused (see :meth:`Person.code`)."""


@dataclass
class Person:
    """A person with an account: their password, TOTP secret and config folder."""

    id: str
    password: str
    secret: str
    config: Path
    last_step: int = -1
    """The TOTP time step of the last code used (a step signs in once)."""

    def code(self) -> str:
        """A code of a step not used yet: the oldest the server takes (one step of drift
        either side of now), waiting for the clock when the steps in reach are used."""
        import pyotp

        totp = pyotp.TOTP(self.secret)
        while True:
            moment = datetime.now(UTC)
            now = totp.timecode(moment)
            # The previous step's code only well inside this step: near its end, a loaded
            # machine may reach the server after the clock moved on, two steps later (refused).
            late = moment.timestamp() % totp.interval > totp.interval - SAFE_SECONDS
            step = max(now if late else now - 1, self.last_step + 1)
            if step <= now + 1:
                self.last_step = step
                return totp.generate_otp(step)
            time.sleep(1)


@dataclass
class Served:
    """A store and the server over it (``start``, ``kill``, ``stop``)."""

    location: str
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    people: dict[str, Person] = field(default_factory=dict)
    tls: tuple[Path, Path] | None = None
    """A certificate file and its key: serve HTTPS."""

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def key_file(self) -> Path:
        return self.folder / "server.key"

    def env(self, config: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTES_")}
        env.update(
            DISPUTES_KEY_FILE=str(self.key_file),
            XDG_CONFIG_HOME=str(config or self.folder / "server-config"),
            DISPUTES_LANG="en",
        )
        return env

    # -- the store and its people --------------------------------------------------------------

    def prepare(self, *people: str) -> None:
        """Load the sample roster with the administrators, and accounts for ``people``."""
        from disputes.domain.roster import Roster
        from disputes.gate.accounts import Accounts
        from disputes.gate.secrets import Secrets
        from disputes.storage.store import Access, Store

        people_csv = write_people(self.folder)
        with people_csv.open("a", encoding="utf-8") as extra:
            extra.write(EXTRA)
        roster = Roster.from_csv(
            UNITS.read_text(encoding="utf-8-sig"), people_csv.read_text(encoding="utf-8")
        )
        key = os.environ.get("DISPUTES_KEY_FILE")
        os.environ["DISPUTES_KEY_FILE"] = str(self.key_file)
        try:
            with Store(self.location, access=Access.CREATE) as store:
                store.app.load_roster(roster, ADMIN)
                accounts = Accounts(store, secrets=Secrets(hasher=CHEAP_HASHER))
                for person in people:
                    issued = accounts.create(ADMIN, person)
                    assert issued.totp_secret is not None
                    self.people[person] = Person(
                        person, issued.password, issued.totp_secret, self.folder / person
                    )
        finally:
            if key is None:
                os.environ.pop("DISPUTES_KEY_FILE", None)
            else:
                os.environ["DISPUTES_KEY_FILE"] = key

    # -- the server ----------------------------------------------------------------------------

    def start(self) -> Served:
        """Start ``disputes serve`` and wait until it answers."""
        command = [
            sys.executable,
            "-c",
            "from disputes.cli.main import main; main()",
            "--db",
            self.location,
            "serve",
            "--port",
            str(self.port),
        ]
        if self.tls:
            command += ["--certfile", str(self.tls[0]), "--keyfile", str(self.tls[1])]
        with (self.folder / "server.log").open("ab") as log:
            self.process = subprocess.Popen(command, env=self.env(), stdout=log, stderr=log)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server stopped: {self.log()}")
            try:
                httpx.get(
                    f"{self.url}/api/openapi.json", timeout=1, verify=self._context()
                ).raise_for_status()
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            return self
        raise AssertionError(f"the server did not answer in {START_SECONDS} s: {self.log()}")

    def _context(self) -> ssl.SSLContext | bool:
        if not self.tls:
            return True
        return ssl.create_default_context(cafile=str(self.tls[0]))

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    # -- clients -------------------------------------------------------------------------------

    def sign_in(self, person: str) -> str:
        """Sign ``person`` in over HTTP; their token."""
        who = self.people[person]
        answer = httpx.post(
            f"{self.url}/api/sessions",
            verify=self._context(),
            json={"person": person, "password": who.password, "code": who.code()},
        )
        assert answer.status_code == 201, answer.text
        token: str = answer.json()["token"]
        return token

    def http(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, verify=self._context())

    def disputes(
        self,
        cli: click.Group,
        person: str,
        *args: str,
        input: str | None = None,
        code: int | None = 0,
    ) -> Result:
        """Run ``disputes ARGS`` as ``person``'s CLI (their config folder, the server set)."""
        who = self.people.get(person)
        config = who.config if who else self.folder / person
        env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("DISPUTES_")}
        env.update(self.env(config))
        env["DISPUTES_SERVER"] = self.url
        if self.tls:
            env["DISPUTES_CA_FILE"] = str(self.tls[0])
        result = CliRunner(env=env).invoke(
            cli, list(args), input=input, catch_exceptions=False, standalone_mode=True
        )
        if code is not None:
            assert result.exit_code == code, (result.exit_code, result.output, result.stderr)
        return result

    def login(self, cli: click.Group, person: str) -> Result:
        who = self.people[person]
        return self.disputes(
            cli,
            person,
            "login",
            "--person",
            person,
            "--code",
            who.code(),
            "--password-stdin",
            input=who.password + "\n",
        )


def body_error(response: httpx.Response) -> dict[str, Any]:
    """The error of an error answer, checked for shape (and that no traceback leaked)."""
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"exit", "kind", "message", "zh", "field"}
    assert error["exit"] in (1, 2, 3, 4)
    return error


def expire(location: str, token: str) -> None:
    """Make ``token``'s session one whose time has passed (as after its absolute expiry)."""
    from disputes.storage.sessions import token_hash

    statement = "UPDATE sessions SET idle_until = 0, expires_at = 0 WHERE token_sha256 = {}"
    if "://" in location:
        import psycopg

        with psycopg.connect(location, autocommit=True) as connection:
            connection.execute(statement.format("%s").encode(), (token_hash(token),))
        return
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(location)) as connection, connection:
        connection.execute(statement.format("?"), (token_hash(token),))
