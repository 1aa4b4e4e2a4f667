"""What every central operation needs: the database, the clock, the signing key, the cinema."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from central.db import Database
from contract.models import Auditorium, Cinema
from contract.ticket_code import Ed25519PrivateKey

Clock = Callable[[], datetime]

CENTRAL_KEY_ID = "central"


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def new_id(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(6).upper()}"


@dataclass
class Context:
    db: Database
    key: Ed25519PrivateKey
    cinema: Cinema
    clock: Clock = utc_now
    _auditoriums: dict[str, Auditorium] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.cinema.timezone)

    def auditorium(self, auditorium_id: str) -> Auditorium:
        """Layouts never change once seeded, so each is parsed once per process."""
        found = self._auditoriums.get(auditorium_id)
        if found is None:
            row = (
                self.db.read()
                .execute("SELECT body FROM auditoriums WHERE id = ?", (auditorium_id,))
                .fetchone()
            )
            found = Auditorium.model_validate(json.loads(row["body"]))
            self._auditoriums[auditorium_id] = found
        return found
