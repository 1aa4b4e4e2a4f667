"""What a pretix terminal keeps in its config.json: the pretix URL and token are the usual
`central_url` and `token`; the rest is `Settings.pretix`, a `PretixSettings`."""

from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contract.models import StaffMember

CHANNEL = "api.boxoffice"

Slug = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PretixSettings(BaseModel):
    """The pretix event series a terminal sells through, and what pretix cannot keep for us."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    organizer: Slug
    event: Slug
    channel: Slug = CHANNEL
    salt: Annotated[str, StringConstraints(min_length=16)] = Field(
        default_factory=lambda: secrets.token_hex(16)
    )
    """Keyed hash of our idempotency keys into ticket secrets: a second, permanent dedupe key
    (pretix forgets X-Idempotency-Key after 24 h) that no one can derive from a sale's key."""
    staff: list[StaffMember] = Field(default_factory=list)
    """pretix has no cashier PINs: the terminal keeps its staff list (PIN hashes) itself."""

    def staff_members(self) -> list[StaffMember]:
        return list(self.staff)


PretixConfig = PretixSettings
"""The adapter's older name for the same settings."""
