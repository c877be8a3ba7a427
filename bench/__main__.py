"""`make bench`: runs every benchmark module in bench/ that defines main(), then rewrites the
summary table at the top of docs/PERFORMANCE.md.

`python -m bench [MODULE ...] [--no-write]`: only the named modules (the table is then written
only with `--write`), or all of them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import pkgutil
import sys
import time
import traceback

import bench
from bench import table


class Tee(io.TextIOBase):
    """Prints as usual and keeps a copy for the table's readers."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.stream.write(text)
        self.stream.flush()
        return self.copy.write(text)


def modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__)
                  if m.name not in ("table", "__main__"))


def run(name: str) -> tuple[object, str]:
    module = importlib.import_module(f"bench.{name}")
    tee = Tee(sys.stdout)
    saved_argv = sys.argv
    sys.argv = [f"bench.{name}"]  # a main() that reads sys.argv sees no options
    try:
        with contextlib.redirect_stdout(tee):
            result = module.main()
    finally:
        sys.argv = saved_argv
    return result, tee.copy.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("modules", nargs="*", help="bench modules to run (default: all)")
    parser.add_argument("--write", action="store_true", help="write the table for a subset too")
    parser.add_argument("--no-write", action="store_true", help="leave docs/PERFORMANCE.md alone")
    arguments = parser.parse_args(argv)
    names = arguments.modules or modules()
    started = time.perf_counter()
    figures: list[table.Figure] = []
    failures: dict[str, str] = {}
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"== bench.{name}", flush=True)
        try:
            result, output = run(name)
        except Exception as error:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failures[name] = f"{type(error).__name__}: {error}"[:200]
            continue
        found = table.figures_of(name, result, output)
        if not found and name in table.READERS:
            failures[name] = "no figures could be read"
        figures.extend(found)
    summary = table.render(figures, failures, "`make bench` (`.venv/bin/python -m bench`)",
                           time.perf_counter() - started)
    print("\n" + summary)
    if not arguments.no_write and (not arguments.modules or arguments.write):
        table.rewrite(summary)
        print(f"\nwritten to {table.PERFORMANCE}")


if __name__ == "__main__":
    main()
