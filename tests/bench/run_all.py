"""Run every benchmark of the project and write one Markdown table.

    python tests/bench/run_all.py [--out tests/bench/RESULTS.md]

Each `tests/bench/bench_*.py` has `run() -> list[dict]` with rows {figure, value, baseline,
ratio, goal, passed}; the baseline is measured in the same run on the same machine, so the
ratio is what travels between machines. Exits 1 if any goal is missed."""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_module(path: Path) -> list[dict[str, Any]]:
    """A benchmark that crashes is a failed row, not the end of the run."""
    try:
        rows = load(path).run()
    except Exception as exc:
        return [{"figure": f"crashed: {exc!r}", "passed": False}]
    return rows


def cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("|", "\\|")


def markdown(results: list[tuple[str, dict[str, Any]]]) -> str:
    head = [
        f"Benchmarks run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores,"
        f" Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        "Baselines are measured in the same run; the ratio is value / baseline.",
        "",
        "| module | figure | value | baseline | ratio | goal | result |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    rows = [
        "| "
        + " | ".join(
            [
                module,
                cell(r.get("figure")),
                cell(r.get("value")),
                cell(r.get("baseline")),
                cell(r.get("ratio")),
                cell(r.get("goal")),
                "pass" if r.get("passed") else "**FAIL**",
            ]
        )
        + " |"
        for module, r in results
    ]
    return "\n".join(head + rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    results: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(HERE.glob("bench_*.py")):
        started = time.perf_counter()
        print(f"running {path.stem} ...", file=sys.stderr, flush=True)
        results += [(path.stem, row) for row in run_module(path)]
        print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    table = markdown(results)
    print(table)
    if args.out:
        args.out.write_text("# Benchmark results\n\n" + table)
    return 0 if all(r.get("passed") for _, r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
