"""What a pretix terminal keeps in its config.json: the pretix URL and token are the usual
`central_url` and `token`; the rest lives under `Settings.extra["pretix"]`."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from contract.models import StaffMember
from pos.counter.home import Settings

CHANNEL = "api.boxoffice"


@dataclass(frozen=True)
class PretixConfig:
    organizer: str
    event: str
    channel: str = CHANNEL
    salt: str = field(default_factory=lambda: secrets.token_hex(16))
    """Keyed hash of our idempotency keys into ticket secrets: a second, permanent dedupe key
    (pretix forgets X-Idempotency-Key after 24 h) that no one can derive from a sale's key."""
    staff: list[dict[str, str]] = field(default_factory=list)
    """pretix has no cashier PINs: the terminal keeps its staff list (PIN hashes) itself."""

    @classmethod
    def of(cls, settings: Settings) -> PretixConfig | None:
        raw = settings.extra.get("pretix")
        return cls(**raw) if isinstance(raw, dict) else None

    def to_extra(self) -> dict[str, Any]:
        return {"pretix": asdict(self)}

    def staff_members(self) -> list[StaffMember]:
        return [StaffMember.model_validate(m) for m in self.staff]
