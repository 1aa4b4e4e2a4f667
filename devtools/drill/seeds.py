"""Seeds for a drill's central: the demo cinema with as many terminals as the drill enrolls.

The demo seeds name four counters; a drill may want more, plus one for the online rush, so it
serves a copy of seeds/ with terminals appended (TOML lets `[[terminals]]` continue anywhere)."""

from __future__ import annotations

import shutil
from pathlib import Path

DEMO_SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def drill_code(terminal_id: str) -> str:
    return f"DRILL-{terminal_id}"


def copy_seeds(dest: Path, terminal_ids: list[str]) -> Path:
    """Copy the demo seeds to `dest` and add `terminal_ids` with codes `drill_code(id)`."""
    shutil.copytree(DEMO_SEEDS, dest, dirs_exist_ok=True)
    blocks = [
        f'\n[[terminals]]\nid = "{tid}"\nname = "Drill {tid}"\n'
        f'enrollment_code = "{drill_code(tid)}"\n'
        for tid in terminal_ids
    ]
    with (dest / "cinema.toml").open("a", encoding="utf-8") as f:
        f.writelines(blocks)
    return dest
