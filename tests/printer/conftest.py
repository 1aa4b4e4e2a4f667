"""Fixtures for printer tests: a fake network printer and a signing key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_printer import FakePrinter

from contract.ticket_code import Ed25519PrivateKey, new_private_key


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return new_private_key()
