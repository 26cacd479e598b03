"""Field encryption, blind indexes and masking for personal data.

ID and phone numbers are stored encrypted with SM4-GCM (the national standard block
cipher; AES-GCM where the OpenSSL build lacks SM4), keyed from ``ZHIBU_FIELD_KEY``.
Each ciphertext carries the id of the key that made it, so keys can be rotated: new
writes use the current key, old rows stay readable with keys listed in
``ZHIBU_FIELD_KEYS_OLD`` until re-encrypted.

Encryption is randomised (a fresh nonce per value), so equal values do not look equal
in the database. To find or de-duplicate an ID number by exact value, an HMAC-SHA256
"blind index" of the normalised value is stored beside it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

_FORMAT = "v1"
_NONCE = 12
_TAG = 16


class DecryptionError(Exception):
    """A stored value could not be decrypted (wrong key or tampered ciphertext)."""


def _derive(master: bytes, label: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=label).derive(master)


@cache
def _keyring() -> tuple[str, dict[str, bytes], bytes]:
    """(current key id, {key id: cipher key}, blind-index key), derived once per process."""
    masters = [settings.FIELD_KEY, *getattr(settings, "FIELD_KEYS_OLD", [])]
    ring: dict[str, bytes] = {}
    current = ""
    for position, hex_key in enumerate(masters):
        master = bytes.fromhex(hex_key)
        cipher_key = _derive(master, b"zhibu-field-cipher-v1", 16)
        key_id = hashlib.sha256(cipher_key).hexdigest()[:8]
        ring[key_id] = cipher_key
        if position == 0:
            current = key_id
    # The blind index must stay stable across cipher-key rotations, so it derives from
    # the current master only; rotating it means recomputing every index (a command).
    index_key = _derive(bytes.fromhex(settings.FIELD_KEY), b"zhibu-blind-index-v1", 32)
    return current, ring, index_key


@cache
def algorithm_name() -> str:
    try:
        Cipher(algorithms.SM4(b"\0" * 16), modes.GCM(b"\0" * _NONCE)).encryptor()
    except UnsupportedAlgorithm:  # pragma: no cover - depends on the OpenSSL build
        return "AES-GCM"
    return "SM4-GCM"


@cache
def _algorithm(key: bytes):
    """The block cipher for ``key``, made once per key (a bulk import encrypts thousands)."""
    return algorithms.SM4(key) if algorithm_name() == "SM4-GCM" else algorithms.AES(key)


def _cipher(key: bytes, nonce: bytes, tag: bytes | None = None):
    return Cipher(_algorithm(key), modes.GCM(nonce, tag))


def encrypt(plaintext: str) -> str:
    key_id, ring, _ = _keyring()
    nonce = os.urandom(_NONCE)
    encryptor = _cipher(ring[key_id], nonce).encryptor()
    encryptor.authenticate_additional_data(key_id.encode())
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    token = base64.b64encode(nonce + body + encryptor.tag).decode("ascii")
    return f"{_FORMAT}:{key_id}:{token}"


def decrypt(stored: str) -> str:
    try:
        version, key_id, token = stored.split(":", 2)
    except ValueError:
        raise DecryptionError("not an encrypted value") from None
    _, ring, _ = _keyring()
    if version != _FORMAT or key_id not in ring:
        raise DecryptionError(f"no key {key_id!r} for this value")
    raw = base64.b64decode(token)
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    decryptor = _cipher(ring[key_id], nonce, tag).decryptor()
    decryptor.authenticate_additional_data(key_id.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except InvalidTag:
        raise DecryptionError("ciphertext failed authentication") from None


def key_id_of(stored: str) -> str:
    return stored.split(":", 2)[1]


def blind_index(value: str) -> str:
    """HMAC-SHA256 of the normalised value: equal inputs give equal indexes, nothing else leaks."""
    _, _, index_key = _keyring()
    normalised = value.strip().upper()
    return hmac.new(index_key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; Python code sees plaintext, the database never does."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


# --- masking -------------------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    """``110101199003071234`` → ``******************``: no character shown, only the length.

    Viewers also see the birth date and sex, which fix 8 digits and the parity of
    another; any digit shown beside them narrows the number below 10^4 candidates
    (region prefix + birth date + sex: about 500). See docs/security.md.
    """
    if not value:
        return ""
    return "*" * len(value)


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
