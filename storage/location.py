"""Where the store is: the location from ``--db``/``DISPUTES_DB``, and the eventsourcing
environment that location selects.

``DISPUTES_DB`` (or ``--db``) selects the store: a file path (SQLite, the embedded default),
``postgresql://user:password@host:port/dbname`` (PostgreSQL; the password may instead come from
``PGPASSWORD`` or a libpq password file), or ``:memory:`` (tests; nothing persists). Without
either, the store is ``$XDG_DATA_HOME/disputes/disputes.db`` (``~/.local/share/…``). A set but
empty ``DISPUTES_DB`` (or ``--db ''``) is an error, not the default: it is a mistake more often
than a wish.

Nothing here creates anything: whether a missing store may be created is decided by the caller
(:class:`disputes.storage.store.Store`, ``access``).
"""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

DB_ENV = "DISPUTES_DB"


def default_db_path() -> Path:
    """The store used when neither ``--db`` nor ``DISPUTES_DB`` is given."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "disputes" / "disputes.db"


def resolve_db(db: str | None) -> str:
    """The store location: ``db``, else ``$DISPUTES_DB``, else :func:`default_db_path`.
    Raises StoreError when ``db`` or ``$DISPUTES_DB`` is given but empty."""
    from disputes.domain.errors import StoreError

    if db is not None and not db.strip():
        raise StoreError(
            "--db is empty: name a store (an SQLite file path or a PostgreSQL URL)",
            zh="数据库无法使用：--db 为空；请指定数据库（SQLite 文件路径或 PostgreSQL 地址）",
        )
    if db:
        return db
    env = os.environ.get(DB_ENV)
    if env is not None and not env.strip():
        raise StoreError(
            f"{DB_ENV} is set but empty: name a store, or unset it for the default store "
            f"{default_db_path()}",
            zh=f"数据库无法使用：已设置 {DB_ENV} 但其值为空；请指定数据库，或取消该设置以使用"
            f"默认数据库 {default_db_path()}",
        )
    return env or str(default_db_path())


def store_env(db: str, *, read_only: bool = False) -> dict[str, str]:
    """The eventsourcing environment for a store location. Raises StoreError when unusable.

    ``read_only`` (SQLite): open the file read-only (see :func:`.sqlite.read_only_uri`) and
    create no table.
    """
    from disputes.domain.errors import StoreError

    if db == ":memory:":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if "://" in db:
        return postgres_env(db)
    if URL_LIKE.match(db):
        raise StoreError(
            f"DISPUTES_DB: malformed store URL '{redact(db)}' (a URL needs '://': "
            "postgresql://user:password@host:port/dbname; for an SQLite file whose name has "
            f"a colon, write ./{db})",
            zh=f"数据库无法使用：DISPUTES_DB：数据库地址 '{redact(db)}' 格式有误（地址需含 '://'："
            "postgresql://用户:密码@主机:端口/库名；文件名含冒号的 SQLite 文件请写成 "
            f"./{db}）",
        )
    path = Path(db)
    if path.is_dir():
        raise StoreError(
            f"DISPUTES_DB: {db} is a directory, not a database file",
            zh=f"数据库无法使用：DISPUTES_DB：{db} 是文件夹，不是数据库文件",
        )
    from disputes.storage.sqlite import READ_ONLY_ENV, read_only_uri

    read_only_keys = (
        {"SQLITE_DBNAME": read_only_uri(path), READ_ONLY_ENV: "1", "CREATE_TABLE": "false"}
        if read_only
        else {}
    )
    return {
        # eventsourcing.sqlite, plus synchronous=FULL on every connection (WAL and the busy
        # timeout, SQLITE_LOCK_TIMEOUT, are the library's own).
        "PERSISTENCE_MODULE": "disputes.storage.sqlite:DurableSQLiteFactory",
        "SQLITE_DBNAME": str(path),
        # Hash-chain every event in the transaction that writes it (disputes.storage.chain).
        "APPLICATION_RECORDER_TOPIC": "disputes.storage.chain:ChainedSQLiteApplicationRecorder",
        "SQLITE_LOCK_TIMEOUT": "10",
        "AGGREGATE_CACHE_MAXSIZE": "2000",
    } | read_only_keys


POSTGRES_SCHEMES = ("postgresql", "postgres")
URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
"""A location starting ``scheme:`` without ``//`` is a mistyped URL, not a file name."""


def postgres_env(url: str) -> dict[str, str]:
    """The eventsourcing environment of a ``postgresql://`` URL.

    Raises StoreError (exit 2) for an unknown scheme or a URL without host or database name.
    The password comes from the URL, else ``PGPASSWORD``, else libpq's password file.
    """
    from disputes.domain.errors import StoreError

    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError as exc:
        raise StoreError(
            f"DISPUTES_DB: malformed store URL ({exc})",
            zh=f"数据库无法使用：DISPUTES_DB：数据库地址格式有误（{exc}）",
        ) from None
    if parts.scheme not in POSTGRES_SCHEMES:
        raise StoreError(
            f"DISPUTES_DB: unsupported store URL scheme '{parts.scheme}://' "
            "(use postgresql://user:password@host:port/dbname, or a file path for SQLite)",
            zh=f"数据库无法使用：DISPUTES_DB：不支持的数据库地址类型 '{parts.scheme}://'"
            "（请用 postgresql://用户:密码@主机:端口/库名，或 SQLite 文件路径）",
        )
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname or "/" in dbname:
        raise StoreError(
            "DISPUTES_DB: a PostgreSQL URL needs a host and a database name: "
            "postgresql://user:password@host:port/dbname",
            zh="数据库无法使用：DISPUTES_DB：PostgreSQL 地址须含主机和库名："
            "postgresql://用户:密码@主机:端口/库名",
        )
    user = unquote(parts.username) if parts.username else os.environ.get("PGUSER", "")
    password = unquote(parts.password) if parts.password else os.environ.get("PGPASSWORD", "")
    return {
        # eventsourcing.postgres, creating its tables one process at a time (see the module).
        "PERSISTENCE_MODULE": "disputes.storage.postgres:SerialSchemaPostgresFactory",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": user or getpass.getuser(),
        "POSTGRES_PASSWORD": password,
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_LOCK_TIMEOUT": "10",
        # Hash-chain every event in the transaction that writes it (disputes.storage.chain).
        "APPLICATION_RECORDER_TOPIC": (
            "disputes.storage.chain_postgres:ChainedPostgresApplicationRecorder"
        ),
        "AGGREGATE_CACHE_MAXSIZE": "2000",
    }


def redact(location: str) -> str:
    """A store location fit for messages: a URL's password replaced by ``***``."""
    if "://" not in location:
        return location
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
