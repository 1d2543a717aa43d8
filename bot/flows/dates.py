"""Dates as every message gives them: "Mon 2 Mar" and "2 Mar".

Spelled out here rather than with strftime, so the words are English whatever the server's
locale, and the day has no leading zero. A module of its own so that any flow or summary can
use it without importing a conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(day: date) -> str:
    """'2 Mar'."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def day_label(day: date) -> str:
    """'Mon 2 Mar'."""
    return f"{WEEKDAYS[day.weekday()]} {short_date(day)}"


def date_range(
    options: Mapping[str, str], zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """`from=` and `to=` of a report command as local midnights; ValueError if not dates."""
    since, until = (
        datetime.combine(date.fromisoformat(options[key]), time(), tzinfo=zone)
        if key in options
        else None
        for key in ("from", "to")
    )
    return since, until
