"""Assessments, their answers and scores."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    Insert,
    ScalarSelect,
    Select,
    Table,
    bindparam,
    delete,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.storage import read_ahead
from bot.storage.models import Answer, Assessment, AssessmentStatus, Score, Timepoint

V = TypeVar("V", int | None, float)


class Write(NamedTuple):
    """A statement built once and the values to send it with, for a caller to send together
    with its own (conversations.save_state)."""

    statement: Insert | Delete
    values: dict[str, Any]


# The mentee's own sittings; staff ratings (the self-sufficiency matrix) carry a rater.
SELF_REPORT = Assessment.rated_by_id.is_(None)
# Written through their tables, with no ORM objects: nothing reads them back as objects.
_ANSWERS = cast(Table, Answer.__table__)
_SCORES = cast(Table, Score.__table__)


def _open(
    person_id: int | ColumnElement[int] | InstrumentedAttribute[int],
) -> Select[tuple[Assessment]]:
    return (
        select(Assessment)
        .where(
            Assessment.person_id == person_id,
            Assessment.status == AssessmentStatus.IN_PROGRESS,
            SELF_REPORT,
        )
        .order_by(Assessment.id.desc())
        .limit(1)
    )


async def open_assessment(session: AsyncSession, person_id: int) -> Assessment | None:
    """The unfinished sitting a person can resume, if any."""
    if read_ahead.known_absent(session, read_ahead.SITTING, person_id):
        return None
    return (await session.execute(_open(person_id))).scalar_one_or_none()


def open_assessment_id(
    person_id: ColumnElement[int] | InstrumentedAttribute[int],
) -> ScalarSelect[int]:
    """The id of that sitting, for a read that joins it to the person (whose id is given as a
    column of the outer query)."""
    sitting = _open(person_id).with_only_columns(Assessment.id)
    return sitting.correlate_except(Assessment).scalar_subquery()


async def begin_assessment(
    session: AsyncSession, *, person_id: int, episode_id: int, timepoint: Timepoint, now: datetime
) -> Assessment:
    assessment = Assessment(
        person_id=person_id,
        episode_id=episode_id,
        timepoint=timepoint,
        status=AssessmentStatus.IN_PROGRESS,
        started_at=now,
    )
    session.add(assessment)
    read_ahead.forget(session, read_ahead.SITTING, person_id)
    await session.flush()
    return assessment


async def completed_timepoints(session: AsyncSession, episode_id: int) -> set[Timepoint]:
    query = select(Assessment.timepoint).where(
        Assessment.episode_id == episode_id,
        Assessment.status == AssessmentStatus.COMPLETE,
        SELF_REPORT,
    )
    return set((await session.execute(query)).scalars())


async def answered_items(session: AsyncSession, assessment_id: int) -> set[tuple[str, str]]:
    """(instrument, item id) of every question answered or skipped in a sitting."""
    query = select(Answer.instrument, Answer.item_id).where(Answer.assessment_id == assessment_id)
    return set((await session.execute(query)).tuples())


def record_answer(
    session: AsyncSession,
    *,
    assessment_id: int,
    instrument: str,
    item_id: str,
    value: int | None,
    now: datetime,
) -> None:
    """Keeps one answer; None for a question skipped, kept as missing (never as a zero)."""
    session.add(
        Answer(
            assessment_id=assessment_id,
            instrument=instrument,
            item_id=item_id,
            value=value,
            answered_at=now,
        )
    )


def _answer(name: str) -> BindParameter[Any]:
    return bindparam(f"answer_{name}", type_=_ANSWERS.c[name].type)


# Built once with parameters (issue 19): see people.person_writing.
_KEEP_ANSWER = insert(_ANSWERS).values(
    {
        name: _answer(name)
        for name in ("assessment_id", "instrument", "item_id", "value", "answered_at")
    }
)
_DROP_ANSWER = delete(_ANSWERS).where(
    *(_ANSWERS.c[name] == _answer(name) for name in ("assessment_id", "instrument", "item_id"))
)


def answer_insert(
    *, assessment_id: int, instrument: str, item_id: str, value: int | None, now: datetime
) -> Write:
    """The statement that keeps one answer, as `record_answer` does, for the caller to send
    with the new position it leads to (conversations.save_state)."""
    return Write(
        _KEEP_ANSWER,
        {
            "answer_assessment_id": assessment_id,
            "answer_instrument": instrument,
            "answer_item_id": item_id,
            "answer_value": value,
            "answer_answered_at": now,
        },
    )


def answer_delete(*, assessment_id: int, instrument: str, item_id: str) -> Write:
    """The statement that drops the answer to one item, when the person goes back to it."""
    return Write(
        _DROP_ANSWER,
        {
            "answer_assessment_id": assessment_id,
            "answer_instrument": instrument,
            "answer_item_id": item_id,
        },
    )


async def answers_for(
    session: AsyncSession, assessment_id: int
) -> dict[str, dict[str, int | None]]:
    """Answers of one sitting, grouped by instrument: {instrument: {item_id: value}}.

    A skipped question's value is None.
    """
    query = select(Answer.instrument, Answer.item_id, Answer.value).where(
        Answer.assessment_id == assessment_id
    )
    return _grouped((await session.execute(query)).tuples())


async def scores_for(session: AsyncSession, assessment_id: int) -> dict[str, dict[str, float]]:
    """Scores of one sitting: {instrument: {key: value}}."""
    query = select(Score.instrument, Score.key, Score.value).where(
        Score.assessment_id == assessment_id
    )
    return _grouped((await session.execute(query)).tuples())


def _grouped(rows: Iterable[tuple[str, str, V]]) -> dict[str, dict[str, V]]:
    grouped: dict[str, dict[str, V]] = {}
    for instrument, key, value in rows:
        grouped.setdefault(instrument, {})[key] = value
    return grouped


async def save_scores(
    session: AsyncSession, *, assessment_id: int, scores: Mapping[str, Mapping[str, float]]
) -> None:
    """Keeps a sitting's scores, {instrument: {key: value}}, in one statement (an executemany;
    row by row through the ORM it was one INSERT each on SQLite)."""
    rows = [
        {"assessment_id": assessment_id, "instrument": instrument, "key": key, "value": value}
        for instrument, by_key in scores.items()
        for key, value in by_key.items()
    ]
    if rows:
        await session.execute(insert(_SCORES), rows)


async def earliest_complete(
    session: AsyncSession, *, episode_id: int, timepoints: tuple[Timepoint, ...], before_id: int
) -> Assessment | None:
    """The first finished sitting of these kinds before this one: the 'before' in a picture."""
    query = (
        select(Assessment)
        .where(
            Assessment.episode_id == episode_id,
            Assessment.status == AssessmentStatus.COMPLETE,
            Assessment.timepoint.in_(timepoints),
            Assessment.id != before_id,
            SELF_REPORT,
        )
        .order_by(Assessment.completed_at)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
