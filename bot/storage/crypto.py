"""Encryption at rest: the key ring behind encrypted columns and the keyed hash of phone numbers.

Keys come from `MENTORBOT_ENCRYPTION_KEYS` (Fernet keys, comma-separated, newest first). The
newest key encrypts; every key decrypts, so a new key can be put first and the old data read
until `mentorbot keys rotate` has re-encrypted it (docs/decisions.md §25).

The ring is installed once per process at start-up (the command line, the demo, the tests)
because column types are built at import time and cannot be handed settings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from config.settings import Settings, SettingsError

SETTING = "MENTORBOT_ENCRYPTION_KEYS"
MAKE_ONE = "make one with: mentorbot keys new"
_HASH_INFO = b"mentorbot phone lookup hash v1"


class KeyRingError(Exception):
    """Encrypted data could not be read with the keys installed (wrong or missing key)."""


def _hash_key(fernet_key: str) -> bytes:
    # A separate key for the lookup hash, derived so it never equals the encryption key.
    raw = base64.urlsafe_b64decode(fernet_key.encode("ascii"))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HASH_INFO).derive(raw)


class KeyRing:
    """Fernet keys, newest first: encrypt with the first, decrypt and look up with all."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SettingsError(f"Missing setting {SETTING} ({MAKE_ONE})")
        fernets: list[Fernet] = []
        for number, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                raise SettingsError(
                    f"Invalid setting {SETTING}: key {number} is not a Fernet key ({MAKE_ONE})"
                ) from None
        self._fernet = MultiFernet(fernets)
        self._hash_keys = [_hash_key(key) for key in keys]
        self._newest = keys[0]

    @classmethod
    def from_text(cls, value: str) -> KeyRing:
        return cls([part.strip() for part in value.split(",") if part.strip()])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError):
            raise KeyRingError(
                f"stored data cannot be read with the keys in {SETTING} (is a key missing?)"
            ) from None

    def rotate(self, token: str) -> str:
        """The same plaintext under the newest key (raises KeyRingError if unreadable)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise KeyRingError(
                f"stored data cannot be read with the keys in {SETTING} (is a key missing?)"
            ) from None

    def phone_hash(self, phone: str) -> str:
        """The lookup hash written now (under the newest key)."""
        return _hmac(self._hash_keys[0], phone)

    def derived_key(self, purpose: bytes) -> bytes:
        """A 32-byte key for another purpose (the dashboard's opaque ids), from the newest key."""
        raw = base64.urlsafe_b64decode(self._newest.encode("ascii"))
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(raw)

    def phone_hashes(self, phone: str) -> list[str]:
        """Every hash the number may be stored under until rotation has finished."""
        return [_hmac(key, phone) for key in self._hash_keys]


def _hmac(key: bytes, phone: str) -> str:
    return hmac.new(key, phone.encode("utf-8"), hashlib.sha256).hexdigest()


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


_installed: KeyRing | None = None


def install(ring: KeyRing | None) -> None:
    """Make `ring` the process's keys (None uninstalls: only tests need that)."""
    global _installed
    _installed = ring


def installed() -> KeyRing:
    if _installed is None:
        raise KeyRingError(f"no encryption keys installed (set {SETTING}; {MAKE_ONE})")
    return _installed


def install_from_settings(settings: Settings) -> KeyRing:
    """Install the configured keys; a missing or bad key stops start-up with one line."""
    value = settings.encryption_keys.get_secret_value() if settings.encryption_keys else ""
    ring = KeyRing.from_text(value)
    install(ring)
    return ring
