"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zones and returns naive datetimes; we store UTC and hand back aware UTC
values everywhere, so no code ever compares a naive time with an aware one.

Encrypted columns hold Fernet tokens: the database never sees the words, and because each
encryption differs they can never be compared in SQL (look phone numbers up by their hash).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum, Text, TypeDecorator

from bot.storage import crypto


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class: type[StrEnum], length: int = 16) -> Enum:
    """Store a StrEnum by its value as plain text (no native enum type to migrate)."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


class EncryptedText(TypeDecorator[str]):
    """Free text encrypted with the installed key ring; stored as text, read back as text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else crypto.installed().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else crypto.installed().decrypt(value)


class EncryptedJSON(TypeDecorator[dict[str, Any]]):
    """A JSON object (conversation drafts, message payloads) encrypted as one token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return crypto.installed().encrypt(json.dumps(value, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect: Dialect) -> dict[str, Any] | None:
        if value is None:
            return None
        loaded: dict[str, Any] = json.loads(crypto.installed().decrypt(value))
        return loaded
