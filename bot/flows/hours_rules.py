"""When a member of staff reads relayed messages: parsing, describing, and the next time.

Stored on the person as {"days": [1..7], "from": "HH:MM", "to": "HH:MM"} (ISO weekdays, local
time in the service's zone). Hours never cross midnight: "from" is before "to".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.flows import texts
from bot.questions.vocabulary import read_time, read_weekday

DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_WORDS = {
    "weekdays": (1, 2, 3, 4, 5),
    "everyday": tuple(range(1, 8)),
    "daily": tuple(range(1, 8)),
    "weekends": (6, 7),
    "weekend": (6, 7),
}


@dataclass(frozen=True)
class Hours:
    days: tuple[int, ...]
    start: time
    end: time

    def stored(self) -> dict[str, Any]:
        return {"days": list(self.days), "from": f"{self.start:%H:%M}", "to": f"{self.end:%H:%M}"}

    def describe(self) -> str:
        """'Mon-Fri 9:00-17:00'."""
        return f"{describe_days(self.days)} {_clock(self.start)}-{_clock(self.end)}"


def _clock(at: time) -> str:
    return f"{at.hour}:{at.minute:02d}"


def from_stored(value: dict[str, Any] | None) -> Hours | None:
    """The person's hours, or None when unset (or not readable)."""
    if not value:
        return None
    try:
        days = tuple(sorted({int(day) for day in value["days"] if 1 <= int(day) <= 7}))
        start, end = time.fromisoformat(value["from"]), time.fromisoformat(value["to"])
    except (KeyError, TypeError, ValueError):
        return None
    return Hours(days, start, end) if days and start < end else None


def parse_days(answer: str) -> tuple[int, ...] | None:
    """'Mon-Fri', 'mon, wed, fri', 'weekdays', 'every day', 'Sat-Mon' -> ISO weekdays."""
    words = re.sub(r"\s*(?:-|\bto\b)\s*", "-", answer.lower().replace("every day", "everyday"))
    days: set[int] = set()
    for token in re.split(r"[\s,&]+|\band\b", words):
        if not token:
            continue
        if token in _DAY_WORDS:
            days.update(_DAY_WORDS[token])
            continue
        ends = [_day(part) for part in token.split("-")]
        if len(ends) > 2 or any(end is None for end in ends):
            return None
        first, last = ends[0], ends[-1]
        assert first is not None and last is not None
        days.update((first - 1 + step) % 7 + 1 for step in range((last - first) % 7 + 1))
    return tuple(sorted(days)) or None


def _day(word: str) -> int | None:
    """An ISO weekday: the start of one name ("we", "thurs") or the shared vocabulary's word."""
    matches = [n for n, name in enumerate(DAY_NAMES, start=1) if name.lower().startswith(word)]
    if len(word) >= 2 and len(matches) == 1:
        return matches[0]
    weekday = read_weekday(word)
    return None if weekday is None else weekday + 1


def parse_time(answer: str) -> time | None:
    """A time in the shared vocabulary: '09:00', '9.30', '5pm', '17:30', or '9' and '5' as
    people mean them for working hours (09:00 and 17:00); None if it is not one."""
    return read_time(answer)


def parse_hours(argument: str) -> Hours | None:
    """'/hours Mon-Fri 09:00-17:00' (or '9am to 5pm'): the days, then the times."""
    words = re.sub(r"\s*(?:-|\bto\b)\s*", "-", argument.strip().lower())
    days_part, _, times_part = words.rpartition(" ")
    start_text, dash, end_text = times_part.partition("-")
    days = parse_days(days_part)
    start, end = parse_time(start_text), parse_time(end_text)
    if not dash or days is None or start is None or end is None or start >= end:
        return None
    return Hours(days, start, end)


def describe_days(days: tuple[int, ...]) -> str:
    """'Mon-Fri', 'Mon, Wed, Fri', 'Sat, Sun' or 'every day'."""
    if len(days) == 7:
        return texts.HOURS_EVERY_DAY
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_ABBREVIATIONS[run[0] - 1]}-{DAY_ABBREVIATIONS[run[-1] - 1]}")
        else:
            parts += [DAY_ABBREVIATIONS[day - 1] for day in run]
    return ", ".join(parts)


def next_reading(hours: Hours, now: datetime, zone: ZoneInfo) -> datetime | None:
    """When the person will next be reading messages; None if they are now."""
    local = now.astimezone(zone)
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        if day.isoweekday() not in hours.days:
            continue
        start = datetime.combine(day, hours.start, tzinfo=zone)
        end = datetime.combine(day, hours.end, tzinfo=zone)
        if ahead == 0 and start <= local < end:
            return None
        if start > local:
            return start
    raise AssertionError("hours always have at least one day")  # pragma: no cover


def when_phrase(moment: datetime, now: datetime, zone: ZoneInfo) -> str:
    """'later today', 'tomorrow morning' or 'on Monday morning', as a mentee is told."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    part = texts.RELAY_PARTS_OF_DAY[0 if local.hour < 12 else 1 if local.hour < 17 else 2]
    if local.date() == today:
        return texts.RELAY_LATER_TODAY
    if local.date() == today + timedelta(days=1):
        return texts.RELAY_TOMORROW.format(part=part)
    return texts.RELAY_ON_DAY.format(day=DAY_NAMES[local.weekday()], part=part)
