"""What differs between SQLite and PostgreSQL in the view tables' SQL, as named fragments.

SQL run on the view database is written as a template (``str.format`` syntax) that asks for the
fragments it needs; :meth:`Dialect.sql` fills them in, and nothing else in the text is touched:

- ``{?}`` — a positional parameter (``?``, ``%s``);
- ``{name}`` — the named parameter ``name`` (``:name``, ``%(name)s``); any other field name;
- ``{integer}`` — an integer column type in DDL (``INTEGER``; ``BIGINT``: times are stored as
  microseconds);
- ``{without_rowid}`` — after a table definition: SQLite's ``WITHOUT ROWID`` (nothing elsewhere);
- ``{cross_join}`` — SQLite's join-order hint ``CROSS JOIN … ON`` (a plain ``JOIN`` elsewhere);
- ``{json_each}``, ``{json_each:name}`` — the rows ``value`` of a JSON array parameter (positional,
  or named ``name``), as a table: ``json_each(?)``, ``json_array_elements_text(CAST(%s AS json))``.

A literal brace is written doubled (``{{``). A literal ``%`` needs nothing: it is doubled for
psycopg here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class Dialect:
    """One database's fragments (see the module docstring); ``name`` is ``sqlite`` or
    ``postgresql``."""

    name: str
    param: str
    """A positional parameter."""
    named: str
    """A named parameter, with ``{}`` where the name goes."""
    integer: str
    without_rowid: str
    cross_join: str
    json_each: str
    """The table of a JSON array parameter's values, with ``{}`` where the parameter goes."""
    percent: str = field(default="%")
    """How a literal ``%`` is written."""

    def sql(self, template: str) -> str:
        """The SQL of a template for this database (cached: templates are few and reused).
        Raises KeyError/ValueError for a malformed template (an unpaired brace)."""
        return _compile(self, template)


class _JsonEach:
    """The ``{json_each}`` fragment; its format spec names a named parameter."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def __format__(self, name: str) -> str:
        param = self.dialect.named.format(name) if name else self.dialect.param
        return self.dialect.json_each.format(param)


class _Fragments(dict[str, object]):
    """The fragments of one dialect for ``str.format_map``; other names are named parameters."""

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(
            {
                "?": dialect.param,
                "integer": dialect.integer,
                "without_rowid": dialect.without_rowid,
                "cross_join": dialect.cross_join,
                "json_each": _JsonEach(dialect),
            }
        )
        self.dialect = dialect

    def __missing__(self, name: str) -> str:
        return self.dialect.named.format(name)


@lru_cache(maxsize=4096)
def _compile(dialect: Dialect, template: str) -> str:
    if dialect.percent != "%":
        template = template.replace("%", dialect.percent)
    return template.format_map(_Fragments(dialect))


SQLITE = Dialect(
    name="sqlite",
    param="?",
    named=":{}",
    integer="INTEGER",
    without_rowid=" WITHOUT ROWID",
    cross_join="CROSS JOIN",
    json_each="json_each({})",
)

POSTGRESQL = Dialect(
    name="postgresql",
    param="%s",
    named="%({})s",
    integer="BIGINT",
    without_rowid="",
    cross_join="JOIN",
    json_each="json_array_elements_text(CAST({} AS json))",
    percent="%%",
)
