"""Which central a terminal sells through, chosen from its settings: our own contract by
default, a pretix event when `Settings.pretix` is set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos.ports.central_client import CentralClient
from pos.ports.port import CentralPort
from pos.ports.pretix.client import PretixClient

if TYPE_CHECKING:
    # the counter's settings (which embed this layer's PretixSettings) are only read here
    from pos.counter.home import Settings


def client_for(settings: Settings) -> CentralPort:
    if settings.pretix is not None:
        return PretixClient(
            settings.central_url,
            settings.token,
            settings.terminal_id,
            settings.pretix,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )
    return CentralClient(
        settings.central_url,
        settings.token,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
    )
