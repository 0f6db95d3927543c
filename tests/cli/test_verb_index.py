"""The root group's index of verbs (cli/verbs.py) agrees with what the verb modules register, so
``disputes --help`` (read from the index, importing no verb module) cannot drift from the verbs
themselves; and ``--help`` and a verb load only what they need (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from functools import partial
from importlib import import_module

import click
import pytest

from disputes.cli.main import VERB_MODULES, DisputesGroup
from disputes.cli.verbs import VERBS, short_help


def registered() -> dict[str, tuple[str, click.Command]]:
    """Verb → (module, command), as each module's ``register`` adds them to a fresh group."""
    found: dict[str, tuple[str, click.Command]] = {}
    for module in VERB_MODULES:
        group = click.Group()
        import_module(f"disputes.cli.{module}").register(group)
        for name, command in group.commands.items():
            assert name not in found, f"{name} registered by {found[name][0]} and {module}"
            found[name] = (module, command)
    return found


def test_the_index_names_every_verb_and_its_module() -> None:
    found = registered()
    assert set(VERBS) == set(found)
    assert {name: verb.module for name, verb in VERBS.items()} == {
        name: module for name, (module, _) in found.items()
    }
    assert len(VERB_MODULES) == len(set(VERB_MODULES))


@pytest.mark.parametrize("limit", [3, 10, 25, 40, 45, 60, 80, 120, 200, 1000])
def test_the_index_gives_each_verbs_short_help_and_hiddenness(limit: int) -> None:
    for name, (_, command) in registered().items():
        verb = VERBS[name]
        assert short_help(verb, limit) == command.get_short_help_str(limit), name
        assert verb.hidden == command.hidden, name
        assert verb.fixed == bool(command.short_help), name


@pytest.mark.parametrize("width", [60, 80, 200])
def test_help_from_the_index_is_clicks_help_of_the_registered_verbs(width: int) -> None:
    def commands_help(group: click.Group, format_commands: Callable[..., None]) -> str:
        ctx = click.Context(group, info_name="disputes", terminal_width=width)
        formatter = ctx.make_formatter()
        format_commands(ctx, formatter)
        return formatter.getvalue()

    full = DisputesGroup(name="disputes")
    full._register_verbs()
    fresh = DisputesGroup(name="disputes")
    from_index = commands_help(fresh, fresh.format_commands)
    assert from_index == commands_help(full, partial(click.Group.format_commands, full))
    assert not fresh.commands  # nothing was imported for it
    assert "Commands:" in from_index


def _imported(*args: str) -> set[str]:
    code = (
        "import sys\n"
        "from disputes.cli.main import main\n"
        f"sys.argv = ['disputes', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stderr.split())


def test_help_imports_no_verb_module_nor_the_domain_model() -> None:
    loaded = _imported("--help")
    verbs = {f"disputes.cli.{m}" for m in VERB_MODULES}
    assert not loaded & verbs
    assert not {"disputes.domain.model", "pydantic", "rich", "eventsourcing"} & loaded
