"""WeChat Pay's API client certificate: `/secapi/` calls (reverse, refund) are taken only from a
connection that showed it (mutual TLS). A throwaway CA made here issues the reference gateway's
server certificate (127.0.0.1) and the merchant's client certificate; the real gateway serves
https on loopback and refuses `/secapi/` without one, as WeChat Pay does."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import ssl
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from central.loopback import Tls
from central.server import CentralThread
from devtools.gateway.app import MerchantKeys
from devtools.gateway.server import GatewayThread
from pos.counter.code_setup import configure_code_pay
from pos.counter.home import Home
from pos.ports.payments import (
    ProviderRefused,
    ProviderUnknown,
    ProviderUnreachable,
    TradeStatus,
    signing,
)
from pos.ports.payments.config import CodePaySettings, WechatSettings
from pos.ports.payments.wechat import WechatClient
from tests.kit import args, enroll_home, pos, pos_json
from tests.payments.paykit import (
    CODES,
    a_showtime,
    assert_books_match,
    in_thread,
    retried,
    sell_code,
)

API_KEY = "k" * 32


@dataclass(frozen=True)
class Pki:
    ca_pem: bytes
    server: tuple[Path, Path]
    """(certificate, key) files of the gateway, for 127.0.0.1."""
    client: tuple[bytes, bytes]
    """(apiclient_cert.pem, apiclient_key.pem) of the merchant."""
    ca_file: Path


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _issue(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    *,
    usage: x509.ObjectIdentifier | None = None,
) -> x509.Certificate:
    """A certificate for `key` issued by `ca` (self-signed CA when None)."""
    now = datetime.now(UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca[0].subject if ca else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca is None, path_length=None), critical=True)
    )
    if ca is None:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    else:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca[1].public_key()), False
        )
    if usage is ExtendedKeyUsageOID.SERVER_AUTH:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return builder.sign(ca[1] if ca else key, hashes.SHA256())


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    folder = tmp_path / "pki"
    folder.mkdir()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _issue("Throwaway test CA", ca_key, None)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _issue("127.0.0.1", server_key, (ca, ca_key), usage=ExtendedKeyUsageOID.SERVER_AUTH)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _issue("merchant", client_key, (ca, ca_key), usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    files = {"ca.pem": ca_pem, "server.pem": server.public_bytes(serialization.Encoding.PEM),
             "server.key": _pem_key(server_key)}  # fmt: skip
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return Pki(
        ca_pem=ca_pem,
        server=(folder / "server.pem", folder / "server.key"),
        client=(client.public_bytes(serialization.Encoding.PEM), _pem_key(client_key)),
        ca_file=folder / "ca.pem",
    )


@pytest.fixture
def tls_gateway(pki: Pki) -> Iterator[GatewayThread]:
    tls = Tls(certfile=pki.server[0], keyfile=pki.server[1], client_ca=pki.ca_file)
    with GatewayThread(tls=tls) as server:
        yield server


def wechat_merchant(gateway: GatewayThread) -> WechatSettings:
    answer = gateway.gateway.register(
        MerchantKeys(alipay_public_key=signing.public_pem(signing.new_rsa_key()),
                     wechat_api_key=API_KEY)
    )  # fmt: skip
    return WechatSettings(
        base_url=f"{gateway.url}/wechat",
        appid=answer["wechat_appid"],
        mch_id=answer["wechat_mch_id"],
    )


def client_home(path: Path, pki: Pki, *, cert: bool) -> Path:
    """A folder with the API key, the test CA and (`cert`) the client certificate files."""
    path.mkdir()
    (path / "wechat_api.key").write_text(API_KEY)
    (path / "ca.pem").write_bytes(pki.ca_pem)
    if cert:
        (path / "apiclient_cert.pem").write_bytes(pki.client[0])
        (path / "apiclient_key.pem").write_bytes(pki.client[1])
    return path


def test_secapi_needs_the_client_certificate(
    tls_gateway: GatewayThread, pki: Pki, tmp_path: Path
) -> None:
    assert tls_gateway.url.startswith("https://127.0.0.1:")
    plain = wechat_merchant(tls_gateway).model_copy(update={"ca_file": "ca.pem"})
    with_cert = plain.model_copy(
        update={"cert_file": "apiclient_cert.pem", "cert_key_file": "apiclient_key.pem"}
    )
    code = CODES["wechat"]

    async def main() -> None:
        bare = WechatClient(plain, client_home(tmp_path / "bare", pki, cert=False),
                            connect=1, read=2)  # fmt: skip
        assert (await bare.pay("N1", code, 4500, "t")).status == TradeStatus.SUCCESS
        assert (await bare.pay("N2", code, 3000, "t")).status == TradeStatus.SUCCESS
        with pytest.raises(ProviderRefused, match="证书错误"):
            await bare.refund("N1", "R1", 1000, 4500)
        with pytest.raises(ProviderRefused, match="证书错误"):
            await bare.cancel("N2")
        await bare.aclose()
        kept = {t["out_trade_no"]: t["kept"] for t in tls_gateway.statement()}
        assert kept == {"N1": 4500, "N2": 3000}  # refused: nothing moved

        merchant = WechatClient(with_cert, client_home(tmp_path / "m", pki, cert=True),
                                connect=1, read=2)  # fmt: skip
        await merchant.refund("N1", "R1", 1000, 4500)
        await merchant.cancel("N2")
        assert (await merchant.query("N2")).status == TradeStatus.CLOSED
        await merchant.aclose()

    asyncio.run(main())
    kept = {t["out_trade_no"]: t["kept"] for t in tls_gateway.statement()}
    assert kept == {"N1": 3500, "N2": 0}


def test_the_gateway_is_trusted_only_through_its_ca(
    tls_gateway: GatewayThread, pki: Pki, tmp_path: Path
) -> None:
    """Without `ca_file` the system's trust applies, and it does not know the test CA."""
    settings = wechat_merchant(tls_gateway).model_copy(
        update={"cert_file": "apiclient_cert.pem", "cert_key_file": "apiclient_key.pem"}
    )
    folder = client_home(tmp_path / "m", pki, cert=True)

    async def main() -> None:
        client = WechatClient(settings, folder, connect=1, read=2)
        with pytest.raises(ProviderUnreachable):
            await client.query("N1")
        await client.aclose()

    asyncio.run(main())


@pytest.mark.parametrize("damage", ["missing", "garbled", "not matching"])
def test_a_missing_or_damaged_client_certificate_stops_the_client(
    tls_gateway: GatewayThread, pki: Pki, tmp_path: Path, damage: str
) -> None:
    settings = wechat_merchant(tls_gateway).model_copy(
        update={"cert_file": "apiclient_cert.pem", "cert_key_file": "apiclient_key.pem"}
    )
    folder = client_home(tmp_path / "m", pki, cert=True)
    key = folder / "apiclient_key.pem"
    if damage == "missing":
        key.unlink()
    elif damage == "garbled":
        key.write_bytes(b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    else:
        key.write_bytes(_pem_key(ec.generate_private_key(ec.SECP256R1())))
    with pytest.raises(OSError):
        WechatClient(settings, folder, connect=1, read=2)


def test_the_settings_take_the_certificate_with_its_key() -> None:
    with pytest.raises(ValueError, match="go together"):
        WechatSettings(appid="wx1", mch_id="1", cert_file="apiclient_cert.pem")


def tls_home(
    central: CentralThread, gateway: GatewayThread, pki: Pki, path: Path, *, cert: bool
) -> Home:
    """An enrolled terminal, a WeChat Pay merchant of the TLS gateway, trusting its CA; with
    `cert`, its API client certificate set up too."""
    home = enroll_home(central, path, lease_seats=4)
    code_pay = CodePaySettings(
        wechat=wechat_merchant(gateway), wait_seconds=1.5, poll_seconds=0.1, read_timeout=0.8
    )
    configure_code_pay(
        home,
        code_pay,
        wechat_api_key=API_KEY,
        wechat_ca_pem=pki.ca_pem,
        wechat_client_cert=pki.client if cert else None,
    )
    return home


def refund_one(home: Home) -> dict[str, object]:
    """A WeChat-paid sale of two tickets, one refunded: its wallet share goes to the provider."""
    st = a_showtime(home)
    total = 2 * st["prices"]["adult"]
    sale = pos_json(*sell_code(home, st["id"], "auto:2", f"code={total}:{CODES['wechat']}"))
    assert isinstance(sale, dict)
    code, _, err = pos(
        *args(home, "refund", sale["sale_id"], "--tickets", sale["tickets"][0]["id"]),
        "--supervisor", "s01", "--pin", "9999", "--json",
    )  # fmt: skip
    assert code == 0, err
    return sale


def test_a_refund_without_the_certificate_stays_owed_until_it_is_set_up(
    live_central: CentralThread, tls_gateway: GatewayThread, pki: Pki, tmp_path: Path
) -> None:
    home = tls_home(live_central, tls_gateway, pki, tmp_path / "t1", cert=False)
    sale = refund_one(home)
    [trade] = tls_gateway.statement()
    assert trade["refunded"] == 0 and trade["kept"] == sale["total"]  # refused: nothing lost
    assert in_thread(retried(home)) == 1
    assert pos_json(*args(home, "status"))["code_owed"] == 1  # type: ignore[index]

    configure_code_pay(
        home, home.load().code_pay, wechat_client_cert=pki.client
    )  # IT sets the certificate up; the next retry sends the refund
    assert in_thread(retried(home)) == 0
    assert pos_json(*args(home, "status"))["code_owed"] == 0  # type: ignore[index]
    [trade] = tls_gateway.statement()
    assert trade["refunded"] == sale["tickets"][0]["price"]  # type: ignore[index]
    assert_books_match(home, tls_gateway)


def test_the_client_key_is_private_and_never_shown(
    live_central: CentralThread, tls_gateway: GatewayThread, pki: Pki, tmp_path: Path
) -> None:
    home = tls_home(live_central, tls_gateway, pki, tmp_path / "t1", cert=True)
    wechat = json.loads(home.config_path.read_text())["code_pay"]["wechat"]
    key_file = home.path / wechat["cert_key_file"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert key_file.read_bytes() == pki.client[1]
    body = b"".join(pki.client[1].splitlines()[1:-1])  # the key itself, without its armour
    refund_one(home)
    [trade] = tls_gateway.statement()
    assert trade["refunded"] > 0  # the refund went through with the certificate
    _, out, err = pos(*args(home, "status"), "--json")
    assert "code_owed" in out
    shown = (out + err).encode()
    assert body not in shown and b"PRIVATE KEY" not in shown
    for path in home.path.rglob("*"):  # config, store, logs: only the key file holds it
        if path.is_file() and path != key_file:
            assert body not in path.read_bytes().replace(b"\n", b""), path
    assert_books_match(home, tls_gateway)


def test_a_till_with_a_damaged_client_key_says_so_and_charges_nothing(
    live_central: CentralThread, tls_gateway: GatewayThread, pki: Pki, tmp_path: Path
) -> None:
    home = tls_home(live_central, tls_gateway, pki, tmp_path / "t1", cert=True)
    wechat = json.loads(home.config_path.read_text())["code_pay"]["wechat"]
    (home.path / wechat["cert_key_file"]).write_bytes(b"not a key")
    st = a_showtime(home)
    pay = f"code={st['prices']['adult']}:{CODES['wechat']}"
    code, _, err = pos(*sell_code(home, st["id"], "auto:1", pay), "--json")
    assert code != 0
    assert "key or certificate" in err and "take cash" in err, err
    assert tls_gateway.statement() == []


def test_a_gateway_requiring_certificates_ends_a_handshake_without_one(
    pki: Pki, tmp_path: Path
) -> None:
    """CERT_REQUIRED refuses at the TLS layer, before any request: the client cannot tell
    refused from cut off, so it is not a clean refusal, which is why the gateway asks
    (CERT_OPTIONAL) and refuses `/secapi/` itself."""
    tls = Tls(pki.server[0], pki.server[1], pki.ca_file, ssl.CERT_REQUIRED)
    with GatewayThread(tls=tls) as gateway:
        plain = wechat_merchant(gateway).model_copy(update={"ca_file": "ca.pem"})
        with_cert = plain.model_copy(
            update={"cert_file": "apiclient_cert.pem", "cert_key_file": "apiclient_key.pem"}
        )

        async def main() -> None:
            bare = WechatClient(plain, client_home(tmp_path / "bare", pki, cert=False),
                                connect=1, read=2)  # fmt: skip
            with pytest.raises((ProviderUnreachable, ProviderUnknown)):
                await bare.query("N1")
            await bare.aclose()
            merchant = WechatClient(with_cert, client_home(tmp_path / "m", pki, cert=True),
                                    connect=1, read=2)  # fmt: skip
            assert (await merchant.query("N1")).status == TradeStatus.NOT_FOUND
            await merchant.aclose()

        asyncio.run(main())


def test_pos_gateway_serve_over_tls(pki: Pki, tmp_path: Path) -> None:
    """`pos gateway serve --tls-cert --tls-key --client-ca` in its own process: https, and
    `/secapi/` for a client that shows its certificate only."""
    ready = tmp_path / "ready.json"
    child = subprocess.Popen(
        [sys.executable, "-m", "pos.cli", "gateway", "serve", "--port", "0",
         "--ready-file", str(ready), "--tls-cert", str(pki.server[0]),
         "--tls-key", str(pki.server[1]), "--client-ca", str(pki.ca_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):
            if ready.exists():
                break
            time.sleep(0.05)
        url = json.loads(ready.read_text())["url"]
        assert url.startswith("https://127.0.0.1:")
        answer = httpx.post(
            f"{url}/dev/merchants",
            json={"alipay_public_key": signing.public_pem(signing.new_rsa_key()),
                  "wechat_api_key": API_KEY},
            verify=ssl.create_default_context(cafile=pki.ca_file),
            timeout=5,
        ).json()  # fmt: skip
        plain = WechatSettings(base_url=f"{url}/wechat", appid=answer["wechat_appid"],
                               mch_id=answer["wechat_mch_id"], ca_file="ca.pem")  # fmt: skip
        with_cert = plain.model_copy(
            update={"cert_file": "apiclient_cert.pem", "cert_key_file": "apiclient_key.pem"}
        )

        async def main() -> None:
            bare = WechatClient(plain, client_home(tmp_path / "bare", pki, cert=False),
                                connect=1, read=2)  # fmt: skip
            with pytest.raises(ProviderRefused, match="证书错误"):
                await bare.cancel("N1")
            await bare.aclose()
            merchant = WechatClient(with_cert, client_home(tmp_path / "m", pki, cert=True),
                                    connect=1, read=2)  # fmt: skip
            await merchant.cancel("N1")
            assert (await merchant.query("N1")).status == TradeStatus.CLOSED
            await merchant.aclose()

        asyncio.run(main())
    finally:
        child.terminate()
        child.wait(10)
    code, _, err = pos("gateway", "serve", "--client-ca", str(pki.ca_file))
    assert code == 2 and "go together" in err
