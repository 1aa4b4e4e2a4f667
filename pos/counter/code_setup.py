"""Setting a terminal up to take payment codes: the merchant settings into config.json, the
secrets (the Alipay application's RSA private key, the WeChat Pay API key and API client
certificate) into files of the home, 0600, written atomically. Nothing here prints or returns a
secret."""

from __future__ import annotations

from pos.counter.home import Home, Settings, write_private
from pos.ports.payments.config import (
    WECHAT_CA_FILE,
    WECHAT_CERT_FILE,
    WECHAT_CERT_KEY_FILE,
    CodePaySettings,
)


def configure_code_pay(
    home: Home,
    code_pay: CodePaySettings,
    *,
    alipay_key_pem: bytes | None = None,
    wechat_api_key: str | None = None,
    wechat_client_cert: tuple[bytes, bytes] | None = None,
    wechat_ca_pem: bytes | None = None,
) -> Settings:
    """Store the secrets given and the settings; returns the terminal's new settings.
    `wechat_client_cert` is (apiclient_cert.pem, apiclient_key.pem); each file given goes where
    the settings name it (a setting without a name gets the usual one)."""
    home.make()
    if alipay_key_pem is not None and code_pay.alipay is not None:
        write_private(home.path / code_pay.alipay.key_file, alipay_key_pem)
    wechat = code_pay.wechat
    if wechat is not None:
        if wechat_api_key is not None:
            write_private(home.path / wechat.key_file, wechat_api_key.encode())
        if wechat_client_cert is not None:
            cert = wechat.cert_file or WECHAT_CERT_FILE
            key = wechat.cert_key_file or WECHAT_CERT_KEY_FILE
            write_private(home.path / cert, wechat_client_cert[0])
            write_private(home.path / key, wechat_client_cert[1])
            wechat = wechat.model_copy(update={"cert_file": cert, "cert_key_file": key})
        if wechat_ca_pem is not None:
            ca = wechat.ca_file or WECHAT_CA_FILE
            write_private(home.path / ca, wechat_ca_pem)
            wechat = wechat.model_copy(update={"ca_file": ca})
        code_pay = code_pay.model_copy(update={"wechat": wechat})
    settings = home.load().updated(code_pay=code_pay)
    home.save(settings)
    return settings
