"""Operator settings, read from the environment and an optional `.env` file.

Every name here is part of the operator interface (the README's Configuration; prefix
`MENTORBOT_`).
Settings are built by `load_settings()` and passed down; nothing reads the environment at import
time, so tests can build as many differently configured apps as they like.
"""

from __future__ import annotations

import os
import re
from datetime import time
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./mentorbot.db"
PREFIX = "MENTORBOT_"
# Read by other parts from the same environment file, not by Settings: the backup script
# (deploy/backup.sh, restore.sh) and the fuzz tests' length (tests/fuzz/README.md).
NOT_SETTINGS = frozenset(
    {
        "MENTORBOT_BACKUP_DIR",
        "MENTORBOT_BACKUP_KEEP",
        "MENTORBOT_ENV_FILE",
        "MENTORBOT_FUZZ_EXAMPLES",
    }
)
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
_QUIET_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming it."""


class TelegramMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class Settings(BaseSettings):
    """All of mentorbot's configuration; see config/.env.example for what each one means."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    database_url: str = DEFAULT_DATABASE_URL
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_mode: TelegramMode = TelegramMode.POLLING
    telegram_webhook_secret: SecretStr | None = None
    public_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    # The service's WhatsApp sender (E.164) on the same Twilio account: turns WhatsApp on.
    whatsapp_from: str | None = None
    # An approved Content template (its ContentSid, HX...) with one variable, {{1}}, the
    # message: what goes to someone outside WhatsApp's 24-hour window.
    whatsapp_template_sid: str | None = None
    # Content templates for choices as buttons inside the 24-hour window, comma-separated
    # ContentSids: quick replies with 1, 2 and 3 buttons, and list pickers with 4, 5, ... 10
    # items, in that order (an empty place: that count goes as numbered text). Each has the
    # message as {{1}}, and button n's title as {{2n}} and id as {{2n+1}}.
    whatsapp_quick_reply_sids: str | None = None
    whatsapp_list_picker_sids: str | None = None
    timezone: str = "Europe/London"
    quiet_hours: str = "21:00-08:00"
    send_rate_per_second: float = Field(default=25.0, gt=0)
    # Telegram updates handled at once (each chat's still one at a time, in order).
    concurrent_updates: int = Field(default=8, ge=1, le=64)
    encryption_keys: SecretStr | None = None
    # Records of mentoring that ended longer ago than this are erased by the scheduler.
    retention_days: int = Field(default=365, ge=30)
    instruments_dir: Path | None = None
    test_database_url: str | None = None

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://...")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours_format(cls, value: str) -> str:
        if not _QUIET_HOURS.match(value):
            raise ValueError("use HH:MM-HH:MM, e.g. 21:00-08:00")
        return value

    @field_validator("public_url", "telegram_api_url", "twilio_api_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("whatsapp_from")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is not None and not _E164.match(value):
            raise ValueError("use the number in E.164 form, e.g. +447700900000")
        return value

    @field_validator("whatsapp_template_sid")
    @classmethod
    def _content_sid(cls, value: str | None) -> str | None:
        if value is not None and not _CONTENT_SID.match(value):
            raise ValueError("use the template's ContentSid from the Twilio console (HX...)")
        return value

    @field_validator("whatsapp_quick_reply_sids", "whatsapp_list_picker_sids")
    @classmethod
    def _content_sids(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        most = 3 if info.field_name == "whatsapp_quick_reply_sids" else 7
        sids = [part.strip() for part in value.split(",")]
        if len(sids) > most or not all(not sid or _CONTENT_SID.match(sid) for sid in sids):
            raise ValueError(
                f"use up to {most} ContentSids (HX...) separated by commas, in order of count"
            )
        return value

    @model_validator(mode="after")
    def _sms_needs_public_url(self) -> Settings:
        if (self.sms_enabled or self.whatsapp_enabled) and not self.public_url:
            # Twilio signs requests with the public address; without it none can be checked.
            raise ValueError(
                "MENTORBOT_PUBLIC_URL is required when SMS or WhatsApp (Twilio) is set up"
            )
        return self

    @model_validator(mode="after")
    def _whatsapp_needs_twilio(self) -> Settings:
        if self.whatsapp_from and not (self.twilio_account_sid and self.twilio_auth_token):
            raise ValueError(
                "MENTORBOT_WHATSAPP_FROM needs MENTORBOT_TWILIO_ACCOUNT_SID and _AUTH_TOKEN"
            )
        return self

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> Settings:
        if self.telegram_mode is TelegramMode.WEBHOOK:
            if not self.public_url:
                raise ValueError("MENTORBOT_PUBLIC_URL is required in webhook mode")
            if not self.telegram_webhook_secret:
                raise ValueError("MENTORBOT_TELEGRAM_WEBHOOK_SECRET is required in webhook mode")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet_window(self) -> tuple[time, time]:
        start, end = self.quiet_hours.split("-")
        return time.fromisoformat(start), time.fromisoformat(end)

    @property
    def sms_enabled(self) -> bool:
        return bool(
            self.twilio_account_sid
            and self.twilio_auth_token
            and (self.twilio_from_number or self.twilio_messaging_service_sid)
        )

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.whatsapp_from)


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if not location:
        return f"Invalid setting: {message}"
    return f"Invalid setting MENTORBOT_{location.upper()}: {message}"


def _unknown_names() -> list[str]:
    """MENTORBOT_ names in the environment or `.env` that no setting reads (likely typos)."""
    from dotenv import dotenv_values

    names = set(os.environ)
    env_file = Path(str(Settings.model_config.get("env_file")))
    if env_file.is_file():
        names |= {name for name in dotenv_values(env_file) if name}
    known = {f"{PREFIX}{field.upper()}" for field in Settings.model_fields} | NOT_SETTINGS
    return sorted(n for n in names if n.upper().startswith(PREFIX) and n.upper() not in known)


def _did_you_mean(name: str) -> str:
    from rapidfuzz import fuzz, process

    fields = [field.upper() for field in Settings.model_fields if field != "test_database_url"]
    found = process.extractOne(
        name.upper().removeprefix(PREFIX), fields, scorer=fuzz.ratio, score_cutoff=70
    )
    return f"{name} (did you mean {PREFIX}{found[0]}?)" if found else name


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment and `.env`; raise SettingsError with one clear line.

    A misspelt name would otherwise be ignored without a word, and the default used in its
    place (quiet hours, say), so unknown MENTORBOT_ names stop start-up.
    """
    unknown = _unknown_names()
    if unknown:
        named = "; ".join(_did_you_mean(name) for name in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise SettingsError(f"Unknown setting{plural} {named} (see deploy/env.example)")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None


def require_telegram_token(settings: Settings) -> str:
    """Return the bot token, or stop with a line that names the missing setting."""
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        raise SettingsError("Missing setting MENTORBOT_TELEGRAM_TOKEN (get one from @BotFather)")
    return settings.telegram_token.get_secret_value()
