"""Protecting what the store keeps: AES-GCM for message content, HMAC-SHA256 for finding values.

Why a keyed hash and not a plain one: a Taiwanese national ID has only ~10^9 valid values, so an
unkeyed SHA-256 of it is reversed by enumeration in minutes. The HMAC lets the ethics office ask
"has this ID leaked before?" (same value → same hash) without the database revealing the value.

Why the HMAC key is never derived and stored beside the data: anyone holding the database file
would then hold the key too and could enumerate IDs exactly as with a plain hash. So the key
comes only from the environment (see `[secrets]`), like the content key.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from detectors.masking import compact

_NONCE_BYTES = 12
_VERSION = b"\x01"  # leading byte so a future key rotation can change the format


class ContentCipher:
    """AES-256-GCM with a random nonce per record; `aad` binds a ciphertext to its row."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("content key must be 32 bytes")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, aad: str = "") -> bytes:
        return self.encrypt_bytes(plaintext.encode(), aad)

    def decrypt(self, blob: bytes, aad: str = "") -> str:
        return self.decrypt_bytes(blob, aad).decode()

    def encrypt_bytes(self, data: bytes, aad: str = "") -> bytes:
        """Files (the original photo or document of an incident) are sealed the same way."""
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, data, aad.encode())

    def decrypt_bytes(self, blob: bytes, aad: str = "") -> bytes:
        if not blob or blob[:1] != _VERSION:
            raise ValueError("unknown ciphertext format")
        nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        return self._aead.decrypt(nonce, body, aad.encode())


class ValueHasher:
    """HMAC-SHA256 of a finding's canonical value (separators removed, upper-cased)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("HMAC key must be at least 16 bytes")
        self._key = key

    def digest(self, value: str) -> str:
        return hmac.new(self._key, compact(value).encode(), hashlib.sha256).hexdigest()
