"""What each drill process writes as it goes: one JSON object a line, flushed at once, so the
drill can follow it live and still read every line after a crash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class Recorder:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")

    def write(self, kind: str, **fields: Any) -> None:
        self._file.write(json.dumps({"type": kind, **fields}) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class Tail:
    """Lines added to a JSONL file since the last look; a half-written last line waits."""

    def __init__(self, path: Path):
        self.path = path
        self._offset = 0

    def new(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            f.seek(self._offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self._offset += end
        for line in data[:end].splitlines():
            if line.strip():
                yield json.loads(line)
