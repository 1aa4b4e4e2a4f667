"""The providers' signing rules, shared by our clients and the reference gateway.

Alipay (open platform, RSA2): the sorted `key=value` pairs of every non-empty parameter but
`sign`, joined by `&`, signed SHA256withRSA (PKCS#1 v1.5), base64. Its answers sign the exact
JSON text of the `<method>_response` object. WeChat Pay v2: the sorted non-empty pairs but
`sign`, then `&key=<API key>`, hashed MD5 or HMAC-SHA256 with the key, upper-case hex."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from xml.etree import ElementTree

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def sign_content(params: Mapping[str, str]) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")


def load_private(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_public(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def rsa2_sign(key: rsa.RSAPrivateKey, content: str) -> str:
    signature = key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa2_verify(key: rsa.RSAPublicKey, content: str, signature: str) -> bool:
    try:
        key.verify(
            base64.b64decode(signature), content.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def response_text(body: str, node: str) -> str | None:
    """The exact text of the `node` object in an Alipay answer (what its signature covers)."""
    marker = f'"{node}"'
    at = body.find(marker)
    if at < 0:
        return None
    start = body.index(":", at + len(marker)) + 1
    while body[start].isspace():
        start += 1
    _, end = json.JSONDecoder().raw_decode(body, start)
    return body[start:end]


def wechat_sign(params: Mapping[str, str], api_key: str, sign_type: str) -> str:
    text = f"{sign_content(params)}&key={api_key}"
    if sign_type == "MD5":
        return hashlib.md5(text.encode()).hexdigest().upper()
    return hmac.new(api_key.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


def to_xml(params: Mapping[str, str]) -> bytes:
    root = ElementTree.Element("xml")
    for name, value in params.items():
        ElementTree.SubElement(root, name).text = value
    return ElementTree.tostring(root, encoding="utf-8")


def from_xml(body: bytes) -> dict[str, str]:
    """A flat WeChat Pay XML document as a dict; a document type declaration is refused (no
    entity tricks in answers)."""
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise ValueError("XML with a document type declaration")
    root = ElementTree.fromstring(body)
    return {child.tag: (child.text or "") for child in root}
