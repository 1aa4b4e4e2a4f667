"""Which central a terminal sells through, chosen from its settings: our own contract by
default, a pretix event when `Settings.extra["pretix"]` says so."""

from __future__ import annotations

from pos.counter.home import Settings
from pos.ports.central_client import CentralClient
from pos.ports.port import CentralPort


def client_for(settings: Settings) -> CentralPort:
    from pos.ports.pretix.config import PretixConfig

    pretix = PretixConfig.of(settings)
    if pretix is not None:
        from pos.ports.pretix.client import PretixClient

        return PretixClient(
            settings.central_url,
            settings.token,
            settings.terminal_id,
            pretix,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )
    return CentralClient(
        settings.central_url,
        settings.token,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
    )
