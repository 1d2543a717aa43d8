"""Settings: defaults, .env, and one clear line naming a bad or missing setting."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from config.settings import (
    SettingsError,
    TelegramMode,
    load_settings,
    require_telegram_token,
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test sees only what it sets: no MENTORBOT_ variables and no .env from the repo."""
    import os

    for name in list(os.environ):
        if name.startswith("MENTORBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_run_the_embedded_demo_setup() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./mentorbot.db"
    assert settings.telegram_mode is TelegramMode.POLLING
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)
    assert settings.quiet_window == (time(21, 0), time(8, 0))
    assert str(settings.zone) == "Europe/London"
    assert not settings.sms_enabled


def test_dotenv_is_read_and_secrets_are_hidden(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "MENTORBOT_TELEGRAM_TOKEN=123:abc\nMENTORBOT_INSTRUMENTS_DIR=\n", encoding="utf-8"
    )
    settings = load_settings()
    assert require_telegram_token(settings) == "123:abc"
    assert "123:abc" not in repr(settings)
    assert settings.instruments_dir is None  # an empty line in .env means "not set"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("MENTORBOT_QUIET_HOURS", "9pm-8am", "MENTORBOT_QUIET_HOURS"),
        ("MENTORBOT_TIMEZONE", "Mars/Olympus", "MENTORBOT_TIMEZONE"),
        ("MENTORBOT_HTTP_PORT", "99999", "MENTORBOT_HTTP_PORT"),
        ("MENTORBOT_DATABASE_URL", "mysql://x", "MENTORBOT_DATABASE_URL"),
        ("MENTORBOT_TELEGRAM_MODE", "carrier-pigeon", "MENTORBOT_TELEGRAM_MODE"),
        ("MENTORBOT_PUBLIC_URL", "example.org", "MENTORBOT_PUBLIC_URL"),
        ("MENTORBOT_SEND_RATE_PER_SECOND", "0", "MENTORBOT_SEND_RATE_PER_SECOND"),
        ("MENTORBOT_WHATSAPP_QUICK_REPLY_SIDS", "HX1", "MENTORBOT_WHATSAPP_QUICK_REPLY_SIDS"),
        (
            "MENTORBOT_WHATSAPP_QUICK_REPLY_SIDS",
            ",".join(["HX" + "a" * 32] * 4),  # only 1, 2 and 3 buttons are quick replies
            "MENTORBOT_WHATSAPP_QUICK_REPLY_SIDS",
        ),
        (
            "MENTORBOT_WHATSAPP_LIST_PICKER_SIDS",
            ",".join(["HX" + "b" * 32] * 8),  # lists of 4 to 10 items: seven at most
            "MENTORBOT_WHATSAPP_LIST_PICKER_SIDS",
        ),
    ],
)
def test_invalid_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert expected in message and "\n" not in message


def test_webhook_mode_needs_public_url_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORBOT_TELEGRAM_MODE", "webhook")
    with pytest.raises(SettingsError, match="MENTORBOT_PUBLIC_URL"):
        load_settings()
    monkeypatch.setenv("MENTORBOT_PUBLIC_URL", "https://bot.example.org/")
    with pytest.raises(SettingsError, match="MENTORBOT_TELEGRAM_WEBHOOK_SECRET"):
        load_settings()
    monkeypatch.setenv("MENTORBOT_TELEGRAM_WEBHOOK_SECRET", "s3cret-s3cret")
    assert load_settings().public_url == "https://bot.example.org"


def test_missing_token_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="MENTORBOT_TELEGRAM_TOKEN"):
        require_telegram_token(load_settings())


def test_sms_is_on_only_with_all_twilio_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORBOT_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("MENTORBOT_TWILIO_AUTH_TOKEN", "token")
    assert not load_settings().sms_enabled
    monkeypatch.setenv("MENTORBOT_TWILIO_FROM_NUMBER", "+447700900000")
    with pytest.raises(SettingsError, match="MENTORBOT_PUBLIC_URL is required"):
        load_settings()
    monkeypatch.setenv("MENTORBOT_PUBLIC_URL", "https://bot.example.org")
    assert load_settings().sms_enabled


def test_whatsapp_is_on_with_its_sender_and_the_twilio_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MENTORBOT_WHATSAPP_FROM", "+447700900002")
    with pytest.raises(SettingsError, match="MENTORBOT_WHATSAPP_FROM needs"):
        load_settings()
    monkeypatch.setenv("MENTORBOT_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("MENTORBOT_TWILIO_AUTH_TOKEN", "token")
    with pytest.raises(SettingsError, match="MENTORBOT_PUBLIC_URL is required"):
        load_settings()
    monkeypatch.setenv("MENTORBOT_PUBLIC_URL", "https://bot.example.org")
    settings = load_settings()
    assert settings.whatsapp_enabled and not settings.sms_enabled
    monkeypatch.setenv("MENTORBOT_WHATSAPP_FROM", "07700 900002")
    with pytest.raises(SettingsError, match=r"MENTORBOT_WHATSAPP_FROM: use the number in E\.164"):
        load_settings()
    monkeypatch.setenv("MENTORBOT_WHATSAPP_FROM", "+447700900002")
    monkeypatch.setenv("MENTORBOT_WHATSAPP_TEMPLATE_SID", "my-template")
    with pytest.raises(SettingsError, match="MENTORBOT_WHATSAPP_TEMPLATE_SID"):
        load_settings()


def test_env_example_documents_every_setting() -> None:
    from config.settings import Settings

    example = (Path(__file__).parents[2] / "config" / ".env.example").read_text(encoding="utf-8")
    for field in Settings.model_fields:
        assert f"MENTORBOT_{field.upper()}=" in example, field


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("MENTORBOT_QUIETHOURS", "MENTORBOT_QUIET_HOURS"),
        ("MENTORBOT_TELEGRAM_TOKN", "MENTORBOT_TELEGRAM_TOKEN"),
        ("MENTORBOT_ENCRYPTION_KEY", "MENTORBOT_ENCRYPTION_KEYS"),
    ],
)
def test_a_misspelt_setting_is_refused_by_name_with_a_suggestion(
    monkeypatch: pytest.MonkeyPatch, name: str, suggestion: str
) -> None:
    monkeypatch.setenv(name, "21:00-08:00")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert f"Unknown setting {name} (did you mean {suggestion}?)" in message
    assert "\n" not in message


def test_a_misspelt_setting_in_dotenv_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MENTORBOT_DATABSE_URL=sqlite+aiosqlite:///x.db\n")
    with pytest.raises(SettingsError, match=r"MENTORBOT_DATABSE_URL \(did you mean "):
        load_settings()


def test_an_unknown_name_with_no_likely_match_is_still_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MENTORBOT_COLOUR", "blue")
    with pytest.raises(SettingsError, match=r"^Unknown setting MENTORBOT_COLOUR "):
        load_settings()


def test_names_read_by_the_tests_and_the_backup_script_are_allowed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MENTORBOT_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@h/x")
    monkeypatch.setenv("MENTORBOT_FUZZ_EXAMPLES", "200")
    (tmp_path / ".env").write_text("MENTORBOT_BACKUP_DIR=/tmp\nMENTORBOT_BACKUP_KEEP=3\nOTHER=1\n")
    assert load_settings().quiet_hours == "21:00-08:00"
