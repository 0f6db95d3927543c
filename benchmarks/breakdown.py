"""Where the time of a missed figure goes, measured in the same run (issue 15: "a figure that
misses its target is printed as missed, with the reason measured, not guessed").

- :func:`imports`: a CLI command run under ``python -X importtime``; the import time of each
  package (self time summed per top-level package, ``disputes`` split by sub-package), beside
  the command's wall time.
- :class:`Phases`: seconds spent inside named methods of live objects (wrapped on the instance
  for the length of a ``with`` block), e.g. the library's save and the projections during
  ``apply``, or each projection during ``rebuild``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def package_of(module: str) -> str:
    """The group a module's import time is counted in: its top-level package, or for our own
    code ``disputes.<sub-package>``."""
    parts = module.split(".")
    if parts[0] == "disputes" and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def imports(argv: Sequence[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``argv`` (a Python command line: ``[python, ...]``) with ``-X importtime``; returns
    milliseconds of import self time per package (:func:`package_of`), largest first, plus
    ``"(total)"``: the sum. Raises RuntimeError when the command fails."""
    command = [argv[0], "-X", "importtime", *argv[1:]]
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}")
    spent: dict[str, float] = defaultdict(float)
    for line in done.stderr.decode(errors="replace").splitlines():
        found = IMPORT_LINE.match(line)
        if found:
            spent[package_of(found.group(4))] += int(found.group(1)) / 1000
    ordered = dict(sorted(spent.items(), key=lambda item: -item[1]))
    ordered["(total)"] = sum(spent.values())
    return {k: round(v, 1) for k, v in ordered.items()}


def top(spent: dict[str, float], count: int = 5) -> str:
    """``"rich 61 ms, pydantic 40 ms, …"``: the largest entries of :func:`imports`."""
    shown = [(k, v) for k, v in spent.items() if k != "(total)"][:count]
    return ", ".join(f"{k} {v:.0f} ms" for k, v in shown)


class Phases:
    """Seconds spent in methods of live objects, wrapped on the instances while ``timing()``
    is open. A method that calls another timed one counts the inner time in both (name the
    phases so that they do not nest, or read them as such)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    @contextmanager
    def timing(self, targets: dict[str, tuple[Any, str]]) -> Iterator[Phases]:
        """Wrap ``getattr(obj, method)`` for each ``phase: (obj, method)`` (objects lacking
        the method are skipped); restore them on exit."""
        wrapped: list[tuple[Any, str]] = []
        for phase, (obj, method) in targets.items():
            original = getattr(obj, method, None)
            if original is None:
                continue
            setattr(obj, method, self._timed(phase, original))
            wrapped.append((obj, method))
        try:
            yield self
        finally:
            for obj, method in wrapped:
                delattr(obj, method)  # the class's method shows again

    def _timed(self, phase: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - started
                self.calls[phase] += 1

        return timed

    def shares(self, total: float) -> dict[str, float]:
        """Each phase's share of ``total`` seconds (0–1), and ``"(rest)"``."""
        out = {k: v / total for k, v in self.seconds.items()} if total > 0 else {}
        out["(rest)"] = max(0.0, 1.0 - sum(out.values()))
        return {k: round(v, 3) for k, v in out.items()}


def python_argv(*args: str) -> list[str]:
    """The ``disputes`` CLI as a Python command line (for :func:`imports`)."""
    return [sys.executable, "-c", "from disputes.cli.main import main; main()", *args]
