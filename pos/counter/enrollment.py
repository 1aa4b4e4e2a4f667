"""Making a folder a terminal of a central: a fresh Ed25519 key, the token, the first sync.

Shared by `pos enroll` and `pos demo`, so both produce exactly the same kind of home."""

from __future__ import annotations

from typing import Any

from contract.ticket_code import Ed25519PrivateKey, new_private_key, public_key_text
from pos.counter.errors import CounterError
from pos.counter.home import Home, Settings, check_changes
from pos.counter.service import Counter
from pos.ports.central_client import CentralClient, CentralError
from pos.ports.pretix.config import PretixSettings
from pos.ports.pretix.enrollment import READ_TIMEOUT as PRETIX_READ_TIMEOUT
from pos.ports.pretix.enrollment import SALE_BUDGET as PRETIX_SALE_BUDGET
from pos.ports.pretix.enrollment import pretix_cinema


async def central_settings(central_url: str, code: str, key: Ed25519PrivateKey) -> Settings:
    """Trade an enrollment code (and our public key) for a token and the cinema's details."""
    async with CentralClient(central_url, read_timeout=5.0) as client:
        try:
            answer = await client.enroll(code, public_key_text(key))
        except CentralError as exc:
            raise CounterError(exc.code, f"Enrollment failed: {exc.message}") from exc
    return Settings(
        central_url=central_url,
        terminal_id=answer.terminal_id,
        key_id=answer.key_id,
        token=answer.token,
        cinema_id=answer.cinema.id,
        timezone=answer.cinema.timezone,
        central_key_id=answer.central_key_id,
        central_public_key=answer.central_public_key,
    )


async def pretix_settings(
    url: str,
    token: str,
    terminal_id: str,
    pretix: PretixSettings,
) -> Settings:
    """Settings that make the Counter sell through a pretix event (checked to be reachable)."""
    try:
        cinema = await pretix_cinema(url, token, terminal_id, pretix)
    except CentralError as exc:
        raise CounterError(exc.code, exc.message) from exc
    return Settings(
        central_url=url,
        terminal_id=terminal_id,
        token=token,
        cinema_id=cinema.id,
        timezone=cinema.timezone,
        central_key_id="pretix",
        read_timeout=PRETIX_READ_TIMEOUT,
        sale_budget=PRETIX_SALE_BUDGET,
        pretix=pretix,
    )


async def enroll(home: Home, central_url: str, code: str, **overrides: Any) -> Settings:
    """Enroll, save key and settings (`overrides` set printer, language, ...), then fetch
    the day's data and take the first leases."""
    check_changes(**overrides)
    key = new_private_key()
    settings = (await central_settings(central_url, code, key)).updated(**overrides)
    home.save_key(key)
    home.save(settings)
    async with Counter(home) as counter:
        await counter.refresh()
    return settings


async def enroll_pretix(
    home: Home, url: str, token: str, terminal_id: str, pretix: PretixSettings, **overrides: Any
) -> Settings:
    """`enroll` for a terminal selling through a pretix event."""
    check_changes(**overrides)
    key = new_private_key()
    settings = (await pretix_settings(url, token, terminal_id, pretix)).updated(**overrides)
    home.save_key(key)
    home.save(settings)
    async with Counter(home) as counter:
        await counter.refresh()
    return settings
