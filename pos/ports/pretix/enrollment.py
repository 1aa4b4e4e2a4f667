"""Enrolling a terminal with a pretix event: check the token reaches the event, read the
cinema's zone, and write the settings that make the Counter sell through pretix."""

from __future__ import annotations

from pathlib import Path

from central.seeds import load_seeds
from pos.counter.errors import CounterError
from pos.counter.home import Settings
from pos.ports.central_client import CentralError
from pos.ports.pretix.client import PretixClient
from pos.ports.pretix.config import CHANNEL, PretixConfig


async def enroll_pretix(
    url: str,
    organizer: str,
    event: str,
    token: str,
    terminal_id: str,
    staff_seeds: Path,
    channel: str = CHANNEL,
) -> Settings:
    """Staff (with PIN hashes) come from a seeds folder: pretix has no cashier PINs."""
    staff = [
        {"id": s.id, "name": s.name, "role": s.role, "pin_hash": s.pin_hash}
        for s in load_seeds(staff_seeds).staff
    ]
    config = PretixConfig(organizer=organizer, event=event, channel=channel, staff=staff)
    client = PretixClient(url, token, terminal_id, config, read_timeout=10.0)
    try:
        catalog = await client.catalog()
    except CentralError as exc:
        raise CounterError(exc.code, f"Cannot use pretix event {event}: {exc.message}") from exc
    finally:
        await client.aclose()
    return Settings(
        central_url=url,
        terminal_id=terminal_id,
        token=token,
        cinema_id=catalog.cinema.id,
        timezone=catalog.cinema.timezone,
        central_key_id="pretix",
        read_timeout=3.0,
        sale_budget=5.0,
        extra=config.to_extra(),
    )
