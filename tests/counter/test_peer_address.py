"""The peer endpoint never listens on a public or unspecified address unless IT says so."""

from __future__ import annotations

import pytest

from pos.counter.errors import CounterError
from pos.counter.home import Settings
from pos.counter.peer_server import listen_address

BASE = {
    "central_url": "http://127.0.0.1:1",
    "terminal_id": "T01",
    "token": "",
    "cinema_id": "c",
    "timezone": "UTC",
}


def settings(**changes: object) -> Settings:
    return Settings.model_validate(BASE | changes)


def test_loopback_by_default_and_lan_when_set() -> None:
    assert listen_address(settings()) == ("127.0.0.1", 8765)
    assert listen_address(settings(peer_listen="192.168.1.11:9000")) == ("192.168.1.11", 9000)
    assert listen_address(settings(peer_listen="[::1]:0")) == ("::1", 0)


@pytest.mark.parametrize("where", ["0.0.0.0:8765", "[::]:8765", "8.8.8.8:8765"])
def test_public_or_unspecified_only_when_allowed(where: str) -> None:
    with pytest.raises(CounterError) as refused:
        listen_address(settings(peer_listen=where))
    assert refused.value.code == "PEER_ADDRESS_PUBLIC"
    host, _ = listen_address(settings(peer_listen=where, peer_allow_public=True))
    assert host in where


@pytest.mark.parametrize("where", ["localhost:8765", "127.0.0.1", "127.0.0.1:99999", ":8765"])
def test_not_an_address_and_port(where: str) -> None:
    with pytest.raises(CounterError) as refused:
        listen_address(settings(peer_listen=where))
    assert refused.value.code == "BAD_PEER_ADDRESS"


def test_a_peer_url_must_be_a_base_url() -> None:
    with pytest.raises(ValueError, match="peers"):
        settings(peers=[{"terminal_id": "T02", "url": "http://10.0.0.2:8765/v1/x"}])
