"""The research export: a ZIP of CSV files, pseudonymous unless a supervisor asks otherwise.

People appear as `P<id>`; the internal id means nothing outside this database. Names, phone
numbers, Telegram ids and typed free text (goal titles and steps, meeting places) are written
only in an identified export, which only a supervisor may ask for and which is audit-logged by
the caller. Session notes and crisis alerts are never exported: they are for the mentoring
relationship, not for analysis.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Answer,
    Assessment,
    Base,
    Episode,
    Goal,
    GoalProgress,
    Meeting,
    OutboxMessage,
    Person,
    Resource,
    Score,
    Signpost,
)

FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # ZIP entry dates, so the same data gives the same bytes


def pseudonym(person_id: int | None) -> str:
    return "" if person_id is None else f"P{person_id}"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


Column = tuple[str, Callable[[Any], Any]]


def _table(rows: Iterable[Any], columns: Sequence[Column]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(name for name, _ in columns)
    for row in rows:
        writer.writerow(_cell(get(row)) for _, get in columns)
    return out.getvalue()


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda row: getattr(row, name)


def _person(name: str) -> Callable[[Any], Any]:
    return lambda row: pseudonym(getattr(row, name))


async def _all(session: AsyncSession, model: type[Base]) -> list[Any]:
    key = model.__table__.primary_key.columns.values()[0]  # type: ignore[attr-defined]
    return list((await session.execute(select(model).order_by(key))).scalars())


async def build_export(session: AsyncSession, *, identified: bool) -> bytes:
    """Every table an analyst needs, as CSV files in one ZIP."""
    people_columns: list[Column] = [
        ("person", _person("id")),
        ("role", _attr("role")),
        ("status", _attr("status")),
        ("joined", _attr("created_at")),
        ("opted_out", _attr("opted_out_at")),
    ]
    if identified:
        people_columns += [
            ("name", _attr("display_name")),
            ("phone", _attr("phone")),
            ("telegram_user_id", _attr("telegram_user_id")),
        ]
    goal_columns: list[Column] = [
        ("goal", _attr("id")),
        ("person", _person("person_id")),
        ("episode", _attr("episode_id")),
        ("domain", _attr("domain")),
        ("set_by", _attr("set_by_role")),
        ("status", _attr("status")),
        ("target_on", _attr("target_on")),
        ("rhythm", _attr("rhythm")),
        ("created", _attr("created_at")),
        ("completed", _attr("completed_at")),
    ]
    meeting_columns: list[Column] = [
        ("meeting", _attr("id")),
        ("episode", _attr("episode_id")),
        ("mentee", _person("mentee_id")),
        ("mentor", _person("mentor_id")),
        ("starts_at", _attr("starts_at")),
        ("status", _attr("status")),
        ("outcome", _attr("outcome")),
    ]
    if identified:
        goal_columns.append(("title", _attr("title")))
        meeting_columns.append(("place", _attr("place")))
    files = {
        "people.csv": _table(await _all(session, Person), people_columns),
        "episodes.csv": _table(
            await _all(session, Episode),
            [
                ("episode", _attr("id")),
                ("mentee", _person("mentee_id")),
                ("mentor", _person("mentor_id")),
                ("site", _attr("site")),
                ("started_on", _attr("started_on")),
                ("planned_end_on", _attr("planned_end_on")),
                ("ended_on", _attr("ended_on")),
                ("status", _attr("status")),
            ],
        ),
        "assessments.csv": _table(
            await _all(session, Assessment),
            [
                ("assessment", _attr("id")),
                ("person", _person("person_id")),
                ("episode", _attr("episode_id")),
                ("timepoint", _attr("timepoint")),
                ("status", _attr("status")),
                ("rated_by", _person("rated_by_id")),
                ("started", _attr("started_at")),
                ("completed", _attr("completed_at")),
            ],
        ),
        "answers.csv": _table(
            await _all(session, Answer),
            [
                ("assessment", _attr("assessment_id")),
                ("instrument", _attr("instrument")),
                ("item", _attr("item_id")),
                ("value", _attr("value")),
            ],
        ),
        "scores.csv": _table(
            await _all(session, Score),
            [
                ("assessment", _attr("assessment_id")),
                ("instrument", _attr("instrument")),
                ("key", _attr("key")),
                ("value", _attr("value")),
            ],
        ),
        "goals.csv": _table(await _all(session, Goal), goal_columns),
        "goal_progress.csv": _table(
            await _all(session, GoalProgress),
            [
                ("goal", _attr("goal_id")),
                ("answer", _attr("answer")),
                ("recorded", _attr("recorded_at")),
            ],
        ),
        "meetings.csv": _table(await _all(session, Meeting), meeting_columns),
        "signposts.csv": await _signposts(session),
        "outbox.csv": _table(
            await _all(session, OutboxMessage),
            [
                ("message", _attr("id")),
                ("person", _person("person_id")),
                ("kind", _attr("kind")),
                ("status", _attr("status")),
                ("channel", _attr("channel")),
                ("attempts", _attr("attempts")),
                ("due", _attr("not_before")),
                ("sent", _attr("sent_at")),
                ("delivery_status", _attr("delivery_status")),
            ],
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, FIXED_TIME), content)
    return out.getvalue()


async def _signposts(session: AsyncSession) -> str:
    rows = await session.execute(
        select(Signpost, Resource.category, Resource.name)
        .join(Resource, Resource.id == Signpost.resource_id)
        .order_by(Signpost.id)
    )
    columns: list[Column] = [
        ("signpost", lambda r: r[0].id),
        ("mentee", lambda r: pseudonym(r[0].mentee_id)),
        ("mentor", lambda r: pseudonym(r[0].mentor_id)),
        ("category", lambda r: r[1]),
        ("service", lambda r: r[2]),
        ("sent", lambda r: r[0].sent_at),
        ("followup_answer", lambda r: r[0].followup_answer),
    ]
    return _table(rows.tuples(), columns)
