"""A picture's link for Twilio to fetch: it opens that picture, for an hour, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.delivery.media_links import LIFETIME, MediaLinks

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
LINKS = MediaLinks(b"k" * 32)


def test_a_link_opens_its_picture_until_it_ends() -> None:
    token = LINKS.token(42, now=NOW)
    assert LINKS.media_id(token, now=NOW) == 42
    assert LINKS.media_id(token, now=NOW + LIFETIME - timedelta(seconds=1)) == 42
    assert LINKS.media_id(token, now=NOW + LIFETIME) is None


def test_a_changed_forged_or_foreign_link_opens_nothing() -> None:
    token = LINKS.token(42, now=NOW)
    changed = ("A" if token[0] != "A" else "B") + token[1:]
    assert LINKS.media_id(changed, now=NOW) is None
    assert LINKS.media_id("not-a-token", now=NOW) is None
    assert LINKS.media_id("", now=NOW) is None
    assert MediaLinks(b"o" * 32).media_id(token, now=NOW) is None  # another service's key


def test_links_to_two_pictures_differ() -> None:
    first, second = LINKS.token(1, now=NOW), LINKS.token(2, now=NOW)
    assert first != second
    assert LINKS.media_id(second, now=NOW) == 2
