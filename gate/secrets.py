"""The secrets of sign-in: password hashes, TOTP codes, and the key that encrypts TOTP secrets.

- **Passwords** are hashed with argon2id by ``argon2-cffi`` (a maintained binding of the
  reference implementation; never our own hashing) at the library's default parameters (RFC 9106
  low-memory profile). Only the hash is stored.
- **Second factor**: TOTP (RFC 6238, 6 digits, 30 s) by ``pyotp``; a code of the previous or
  next 30 s step is accepted (clock drift between phone and server).
- **TOTP secrets** must be readable by the server to check codes, so they cannot be hashed:
  they are stored encrypted with Fernet (``cryptography``: AES-128-CBC with HMAC-SHA256, a
  maintained recipe), under a key that is never in the store: the file ``$DISPUTES_KEY_FILE``,
  else ``<config dir>/server.key`` (config dir: ``$XDG_CONFIG_HOME/disputes`` or
  ``~/.config/disputes``), created on first use with mode 0600. A copy of the store without the
  key file does not reveal any person's TOTP secret.

The cost setting for tests: :class:`Secrets` takes a ``hasher``; the test suite passes
``argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)`` (tests/support/accounts.py).
Nothing else lowers the cost: production code never passes one, and there is no environment
variable for it. Hashes record their own parameters, so a cheap test hash still verifies.
"""

from __future__ import annotations

import os
import secrets
import string
from datetime import datetime
from pathlib import Path

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

from disputes.domain.errors import InvalidInput

KEY_ENV = "DISPUTES_KEY_FILE"
ISSUER = "disputes"
TOTP_STEP_SECONDS = 30
PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
"""Generated passwords: letters and digits, without the ones that read alike (0/O, 1/l/I)."""


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/disputes``, else ``~/.config/disputes``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "disputes"


def key_path() -> Path:
    """Where the TOTP encryption key is: ``$DISPUTES_KEY_FILE``, else
    ``<config dir>/server.key``."""
    chosen = os.environ.get(KEY_ENV)
    return Path(chosen) if chosen else config_dir() / "server.key"


def load_or_create_key(path: Path | None = None) -> bytes:
    """The Fernet key at ``path`` (default :func:`key_path`), created (mode 0600, in a folder
    made 0700) when missing. Raises InvalidInput naming the file when it cannot be read or
    made, or does not hold a Fernet key."""
    path = path or key_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _create_key(path)
    except OSError as exc:
        raise InvalidInput(KEY_ENV, f"cannot read the key file {path}: {exc.strerror}") from None
    key = data.strip()
    try:
        Fernet(key)
    except ValueError:
        raise InvalidInput(
            KEY_ENV, f"{path} does not hold a key of this server (32 url-safe base64 bytes)"
        ) from None
    return key


def _create_key(path: Path) -> bytes:
    key = Fernet.generate_key()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it in between: use theirs
        return load_or_create_key(path)
    except OSError as exc:
        raise InvalidInput(KEY_ENV, f"cannot create the key file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    path.chmod(0o600)  # whatever the umask
    return key


class Secrets:
    """Hashing, TOTP and encryption for accounts. ``key``: the Fernet key (default: the key
    file, see :func:`load_or_create_key`, read when first needed); ``hasher``: the argon2
    hasher (default: the library's defaults; see the module docstring for tests)."""

    def __init__(self, key: bytes | None = None, hasher: PasswordHasher | None = None) -> None:
        self._key = key
        self._fernet: Fernet | None = None
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    # -- passwords ------------------------------------------------------------------------------

    @staticmethod
    def new_password(length: int) -> str:
        """A random password of ``length`` characters (:data:`PASSWORD_ALPHABET`)."""
        return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))

    def hash_password(self, password: str) -> str:
        """The argon2id hash (PHC string, with its salt and parameters)."""
        return self.hasher.hash(password)

    def password_matches(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches. With ``password_hash`` None (no such account) a
        hash is still checked, so the answer takes as long as for a real account."""
        if password_hash is None:
            if self._dummy is None:
                self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
            password_hash = self._dummy
            password = "\0" + password  # never matches
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # -- TOTP -------------------------------------------------------------------------------------

    @staticmethod
    def new_totp_secret() -> str:
        """A new TOTP secret (base32, 160 bits as RFC 4226 recommends)."""
        return pyotp.random_base32(32)

    @staticmethod
    def provisioning_uri(secret: str, person: str) -> str:
        """The ``otpauth://`` URI an authenticator app reads (as a QR code or text)."""
        return pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS).provisioning_uri(
            name=person, issuer_name=ISSUER
        )

    @staticmethod
    def code_step(secret: str, code: str, now: datetime) -> int | None:
        """The time step of ``code`` if it is the code of ``now``'s step or the one before or
        after (clock drift), else None."""
        totp = pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS)
        candidate = code.strip()
        if len(candidate) != totp.digits or not (candidate.isascii() and candidate.isdigit()):
            return None
        step = totp.timecode(now)
        found: int | None = None
        for offset in (-1, 0, 1):
            expected = totp.generate_otp(step + offset)
            if secrets.compare_digest(expected, candidate):
                found = step + offset
        return found

    @staticmethod
    def code_at(secret: str, moment: datetime) -> str:
        """The code of ``moment`` (what the person's authenticator shows then; for tests and
        the one-time enrolment check)."""
        return pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS).at(moment)

    # -- encryption of TOTP secrets ---------------------------------------------------------------

    @property
    def fernet(self) -> Fernet:
        if self._fernet is None:
            self._fernet = Fernet(self._key or load_or_create_key())
        return self._fernet

    def encrypt(self, secret: str) -> str:
        """``secret`` encrypted under the key (Fernet token, text)."""
        return self.fernet.encrypt(secret.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The secret of a Fernet token. Raises InvalidInput when the key is not the one it
        was encrypted with (a store moved without its key file)."""
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise InvalidInput(
                KEY_ENV,
                f"the TOTP secrets of this store were encrypted with another key than {key_path()};"
                " point DISPUTES_KEY_FILE at the server's key file, or re-enrol the person's code "
                "(`disputes accounts reset PERSON --new-code`)",
            ) from None
