"""Setting a terminal up to take payment codes: the merchant settings into config.json, the
secrets (the Alipay application's RSA private key, the WeChat Pay API key) into files of the
home, 0600, written atomically. Nothing here prints or returns a secret."""

from __future__ import annotations

from pos.counter.home import Home, Settings, write_private
from pos.ports.payments.config import CodePaySettings


def configure_code_pay(
    home: Home,
    code_pay: CodePaySettings,
    *,
    alipay_key_pem: bytes | None = None,
    wechat_api_key: str | None = None,
) -> Settings:
    """Store the secrets given and the settings; returns the terminal's new settings."""
    home.make()
    if alipay_key_pem is not None and code_pay.alipay is not None:
        write_private(home.path / code_pay.alipay.key_file, alipay_key_pem)
    if wechat_api_key is not None and code_pay.wechat is not None:
        write_private(home.path / code_pay.wechat.key_file, wechat_api_key.encode())
    settings = home.load().updated(code_pay=code_pay)
    home.save(settings)
    return settings
