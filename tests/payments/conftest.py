"""Payment-code fixtures: a real reference central and a real reference payment gateway, both on
loopback, and a terminal enrolled in the one and a merchant of the other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from central.server import CentralThread
from devtools.gateway.server import GatewayThread
from pos.counter.home import Home
from tests.payments.paykit import paying_home


@pytest.fixture
def gateway() -> Iterator[GatewayThread]:
    with GatewayThread() as server:
        yield server


@pytest.fixture
def home(live_central: CentralThread, gateway: GatewayThread, tmp_path: Path) -> Home:
    return paying_home(live_central, gateway, tmp_path / "t1")
