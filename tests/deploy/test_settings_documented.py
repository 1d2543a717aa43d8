"""The recipe names every setting a production install uses, so following it leaves none out."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# Pointed at fakes by the tests only; production keeps their defaults.
TEST_ONLY = {"test_database_url", "telegram_api_url", "twilio_api_url"}
SETTINGS = sorted(
    f"MENTORBOT_{name.upper()}" for name in Settings.model_fields if name not in TEST_ONLY
)


@pytest.mark.parametrize("document", ["docs/deploy.md", "deploy/env.example"])
def test_every_production_setting_is_in_the_recipe(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    missing = [name for name in SETTINGS if name not in text]
    assert missing == [], f"{document} does not mention {missing}"


def test_the_key_and_the_restore_are_explained_together() -> None:
    recipe = (ROOT / "docs/deploy.md").read_text(encoding="utf-8")
    backups = recipe[recipe.index("## Backups and restoring") :]
    assert "MENTORBOT_ENCRYPTION_KEYS" in recipe and "mentorbot keys new" in recipe
    assert "useless without the encryption key" in backups
