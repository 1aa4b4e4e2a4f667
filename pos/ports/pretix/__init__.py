"""Selling through pretix (open-source ticketing): the Counter's port onto a pretix event series,
and a loopback pretix seeded from our demo data for development and tests."""

from pos.ports.pretix.client import PretixClient
from pos.ports.pretix.config import PretixConfig

__all__ = ["PretixClient", "PretixConfig"]
