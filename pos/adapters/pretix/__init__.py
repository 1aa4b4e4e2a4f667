"""Selling through pretix (open-source ticketing): the Counter's port onto a pretix event series,
and a loopback pretix seeded from our demo data for development and tests."""

from .client import PretixClient
from .config import PretixConfig

__all__ = ["PretixClient", "PretixConfig"]
