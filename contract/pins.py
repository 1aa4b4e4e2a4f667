"""Staff PIN hashing shared by the central (which seeds and serves hashes) and the counter
(which checks a PIN while offline). PINs are short, so the hash is deliberately slow and
memory-hard (scrypt, 32 MiB and about 0.1 s per guess): a copied staff list still gives up a
4-digit PIN in about 20 minutes on one core, which is why longer PINs are allowed and advised.
Stored parameters are read back from the hash, so older (faster) hashes keep working."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**15, 8, 1
_MAXMEM = 2**26
"""Room for scrypt's 128·r·N bytes (32 MiB here), and the most a stored hash may ask for."""


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32, maxmem=_MAXMEM)
    enc = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    """False for a wrong PIN and for a malformed stored hash alike; never raises."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            pin.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
            maxmem=_MAXMEM,  # a hash asking for more is refused, not obeyed
        )
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False
