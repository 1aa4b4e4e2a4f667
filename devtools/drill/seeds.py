"""Seeds for a drill's central: the demo cinema with as many terminals as the drill enrolls.

The demo seeds name four counters; a drill may want more, plus one for the online rush, so it
serves a copy of seeds/ with terminals appended (TOML lets `[[terminals]]` continue anywhere)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

DEMO_SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def drill_code(terminal_id: str) -> str:
    return f"DRILL-{terminal_id}"


ALLOTMENT_SHARE = re.compile(
    r"(\[cinema\.counter_allotment\]\s*\nshare\s*=\s*)[0-9.]+(?:\n(?:auditoriums|showtimes)\s*=.*)*"
)
"""The demo seeds' allotment: the cinema's share and the houses or showtimes that set their own
(the largest house, aud1, keeps 0.3); `counter_share` replaces all of them."""


def copy_seeds(dest: Path, terminal_ids: list[str], counter_share: float | None = None) -> Path:
    """Copy the demo seeds to `dest` and add `terminal_ids` with codes `drill_code(id)`; with
    `counter_share`, the cinema's counter allotment is that share of every house instead (the
    seeds' per-house and per-showtime settings dropped, or the largest house would keep its own)."""
    shutil.copytree(DEMO_SEEDS, dest, dirs_exist_ok=True)
    if counter_share is not None:
        cinema = dest / "cinema.toml"
        text, found = ALLOTMENT_SHARE.subn(rf"\g<1>{counter_share}", cinema.read_text("utf-8"))
        if found != 1:
            raise ValueError("the demo seeds no longer set [cinema.counter_allotment] share")
        cinema.write_text(text, encoding="utf-8")
    blocks = [
        f'\n[[terminals]]\nid = "{tid}"\nname = "Drill {tid}"\n'
        f'enrollment_code = "{drill_code(tid)}"\n'
        for tid in terminal_ids
    ]
    with (dest / "cinema.toml").open("a", encoding="utf-8") as f:
        f.writelines(blocks)
    return dest
