"""What a terminal keeps about its payment-code merchants in config.json (`Settings.code_pay`).

Only paths of the secrets are settings: the Alipay application's RSA private key and the WeChat
Pay API key (and WeChat Pay's API client certificate key) live in files of the terminal's home,
mode 0600, and are read when a client is made; they are never printed, logged or put in an
answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://")]

ALIPAY_KEY_FILE = "alipay_app.key"
WECHAT_KEY_FILE = "wechat_api.key"
WECHAT_CERT_FILE = "wechat_apiclient_cert.pem"
WECHAT_CERT_KEY_FILE = "wechat_apiclient_key.pem"
WECHAT_CA_FILE = "wechat_ca.pem"


class AlipaySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gateway_url: Url = "https://openapi.alipay.com/gateway.do"
    app_id: Id
    key_file: str = ALIPAY_KEY_FILE
    """The application's RSA private key (PEM), in the home, 0600."""
    alipay_public_key: Annotated[str, StringConstraints(min_length=1)]
    """Alipay's public key (PEM), which signs every answer: public, so kept here."""


class WechatSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: Url = "https://api.mch.weixin.qq.com"
    appid: Id
    mch_id: Id
    key_file: str = WECHAT_KEY_FILE
    """The merchant's API key (v2 signing key), in the home, 0600."""
    sign_type: Annotated[str, StringConstraints(pattern=r"^(MD5|HMAC-SHA256)$")] = "HMAC-SHA256"
    cert_file: str | None = None
    """The merchant's API client certificate (apiclient_cert.pem), in the home: WeChat Pay
    refuses a reversal or a refund (`/secapi/...`) from a connection without it."""
    cert_key_file: str | None = None
    """Its private key (apiclient_key.pem), in the home, 0600."""
    ca_file: str | None = None
    """CA certificates (PEM, in the home) to trust for WeChat Pay instead of the system's: a
    test gateway's own CA."""

    @model_validator(mode="after")
    def _cert_with_key(self) -> WechatSettings:
        if (self.cert_file is None) != (self.cert_key_file is None):
            raise ValueError("cert_file and cert_key_file go together")
        return self


class CodePaySettings(BaseModel):
    """The providers this terminal may charge payment codes through, and how long the cashier
    waits for a customer still confirming in the app before the payment is cancelled."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alipay: AlipaySettings | None = None
    wechat: WechatSettings | None = None
    wait_seconds: Annotated[float, Field(gt=0, le=120)] = 30.0
    """Alipay and WeChat both advise polling a user-paying trade for about 30 s."""
    poll_seconds: Annotated[float, Field(gt=0, le=10)] = 2.0
    connect_timeout: Annotated[float, Field(gt=0, le=30)] = 1.0
    read_timeout: Annotated[float, Field(gt=0, le=60)] = 5.0
    """A charge takes the provider seconds (it asks the bank); longer than the central's."""
