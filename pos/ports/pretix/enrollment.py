"""Checking a pretix event before a terminal is enrolled with it: the token must reach the event,
and the event tells the cinema (id and zone) the terminal will sell for."""

from __future__ import annotations

from contract.models import Cinema
from pos.ports.errors import CentralError
from pos.ports.pretix.client import PretixClient
from pos.ports.pretix.config import PretixSettings

READ_TIMEOUT = 3.0
"""pretix answers slower than our central: what a pretix terminal waits for a read..."""
SALE_BUDGET = 5.0
"""...and for a whole online sale before it is served from the lease."""


async def pretix_cinema(url: str, token: str, terminal_id: str, pretix: PretixSettings) -> Cinema:
    """The cinema of the event `pretix` names, read with `token`; CentralError (with the event in
    its message) if the event cannot be used."""
    client = PretixClient(url, token, terminal_id, pretix, read_timeout=10.0)
    try:
        catalog = await client.catalog()
    except CentralError as exc:
        message = f"Cannot use pretix event {pretix.event}: {exc.message}"
        raise CentralError(exc.code, message, exc.detail) from exc
    finally:
        await client.aclose()
    return catalog.cinema
