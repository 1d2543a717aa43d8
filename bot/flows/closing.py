"""The end of mentoring: ending an episode, and the closing summary for mentee and mentor.

An episode ends once its planned end has come and the exit check is done, or, if the mentee
does not do it, `episode_end_grace_days` after the planned end (config/reminders.yaml; the
scheduler's job). `/close` brings the planned end forward to today, so the exit check is due at
once. Both people then get a summary: the first full check beside the last one (the exit
check, else the latest full check), the goals reached, and for the mentee where to find help
next. A picture cannot go through the outbox, so a summary sent by the scheduler carries a
button that shows it (`/summary`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import texts
from bot.flows.battery import FULL_TIMEPOINTS
from bot.flows.context import FlowContext
from bot.flows.results import Earlier, Look, Scores, day, full_picture
from bot.flows.types import Outcome
from bot.instruments import Instrument
from bot.instruments.glossary import score_name
from bot.messages import Channel, Choice, Reply
from bot.reports.rounding import shown
from bot.storage import assessments, conversations, endings, goals, people, relays
from bot.storage.models import (
    Assessment,
    Episode,
    EpisodeStatus,
    GoalStatus,
    Person,
    Role,
)
from bot.storage.outbox import Queued

MENU_TOKEN = "menu"  # taps on it count as the command they carry (see flows.engine)
CHECKIN_FLOW = "checkin"  # bot.flows.checkin.FLOW; that module imports this one
# (text key, instrument, score key): the three before/after numbers.
MEASURES = (
    ("arc", "arc", "total"),
    ("esteem", "cest_self_esteem", "score"),
    ("efficacy", "cest_self_efficacy", "score"),
)
MEASURE_LINES = (texts.CLOSING_ARC, texts.CLOSING_ESTEEM, texts.CLOSING_EFFICACY)


@dataclass(frozen=True)
class Comparison:
    """The first full check and the last one, with their scores."""

    first: Assessment
    last: Assessment
    before: Scores
    after: Scores

    def numbers(self) -> dict[str, str]:
        """{'arc_before': '20', 'arc_after': '31', ...}: shown as the check-in results and the
        picture show them ('-' for a score its skipped questions left out)."""
        numbers = {}
        for name, instrument, key in MEASURES:
            numbers[f"{name}_before"] = shown(self.before.get(instrument, {}).get(key, math.nan))
            numbers[f"{name}_after"] = shown(self.after.get(instrument, {}).get(key, math.nan))
        return numbers


@dataclass(frozen=True)
class Closing:
    mentee: Person
    episode: Episode
    comparison: Comparison | None
    goals: list[str]
    names: Mapping[str, str]  # the CEST scales for the mentee: {'esteem_name': 'Self-worth'}
    staff_names: Mapping[str, str]  # and for staff: 'Self-worth (Self-esteem)'


def _day(moment: datetime | None, zone: ZoneInfo) -> str:
    assert moment is not None  # finished sittings have a completion time
    return day(moment, zone)


def _names(instruments: Mapping[str, Instrument], *, staff: bool) -> dict[str, str]:
    """{'esteem_name': 'Self-worth', ...}: the CEST scales as the glossary names them."""
    return {
        f"{name}_name": score_name(instruments[instrument], key, staff=staff)
        for name, instrument, key in MEASURES
        if name != "arc"
    }


async def gather(
    session: AsyncSession, episode: Episode, instruments: Mapping[str, Instrument]
) -> Closing:
    """What a closing summary says about this episode."""
    mentee = await session.get(Person, episode.mentee_id)
    assert mentee is not None
    sittings = await endings.full_sittings(session, episode.id, FULL_TIMEPOINTS)
    comparison = None
    if len(sittings) >= 2:
        first, last = sittings[0], sittings[-1]
        before = await assessments.scores_for(session, first.id)
        after = await assessments.scores_for(session, last.id)
        comparison = Comparison(first, last, before, after)
    done = await goals.goals_for(session, mentee.id, statuses=(GoalStatus.DONE,))
    titles = [goal.title for goal in done if goal.episode_id == episode.id]
    names = _names(instruments, staff=False)
    return Closing(mentee, episode, comparison, titles, names, _names(instruments, staff=True))


async def end_episode(
    session: AsyncSession, episode: Episode, *, now: datetime, today: date
) -> None:
    """Mark the episode ended and stop what it would still cause to be sent."""
    episode.status = EpisodeStatus.ENDED
    episode.ended_on = today
    meeting_ids = await endings.cancel_meetings_to_come(session, episode.id, now=now)
    await endings.withdraw_pending(
        session,
        mentee_id=episode.mentee_id,
        meeting_ids=meeting_ids,
        unfinished_ids=await endings.unfinished_sittings(session, episode.id),
        now=now,
    )
    await relays.forget_episode(session, episode.id)  # relayed words last only as long
    state = await conversations.load_state(session, episode.mentee_id)
    if state is not None and state.flow == CHECKIN_FLOW:
        await conversations.clear_state(session, episode.mentee_id)


async def end_and_queue(
    session: AsyncSession,
    episode: Episode,
    *,
    now: datetime,
    zone: ZoneInfo,
    instruments: Mapping[str, Instrument],
) -> list[Queued]:
    """End the episode; the summaries to queue for the mentee (by outbox) and the mentor."""
    await end_episode(session, episode, now=now, today=now.astimezone(zone).date())
    closing = await gather(session, episode, instruments)
    mentee = closing.mentee
    # The picture shows in a chat only, and only when there are two checks to compare.
    in_chat = mentee.telegram_chat_id is not None and mentee.telegram_blocked_at is None
    has_picture = in_chat and closing.comparison is not None
    picture = ((texts.CLOSING_SEE_PICTURE, "/summary"),) if has_picture else ()
    key = f"closing:{episode.id}"
    messages = [
        Queued(
            person_id=mentee.id,
            key=f"{key}:mentee",
            kind="closing",
            text=mentee_text(closing, zone),
            not_before=now,
            choices=picture,
            token=MENU_TOKEN if picture else None,
            sms_text=sms_texts(closing)[0],
        ),
        Queued(
            person_id=mentee.id,
            key=f"{key}:support",
            kind="closing",
            text=support_text(),
            not_before=now,
            sms_text=sms_texts(closing)[1],
        ),
    ]
    if episode.mentor_id is not None:
        messages.append(mentor_message(closing, zone, now))
    return messages


def mentor_message(closing: Closing, zone: ZoneInfo, now: datetime) -> Queued:
    assert closing.episode.mentor_id is not None
    return Queued(
        person_id=closing.episode.mentor_id,
        key=f"closing:{closing.episode.id}:mentor",
        kind="notice",
        text=mentor_text(closing, zone),
        not_before=now,
    )


def mentee_text(closing: Closing, zone: ZoneInfo) -> str:
    sections = [texts.CLOSING_THANKS]
    compared = closing.comparison
    if compared is not None:
        numbers = compared.numbers()
        first = _day(compared.first.completed_at, zone)
        last = _day(compared.last.completed_at, zone)
        lines = [texts.CLOSING_COMPARED.format(first=first, last=last)]
        for template, (name, _, _) in zip(MEASURE_LINES, MEASURES, strict=True):
            lines.append(
                template.format(
                    before=numbers[f"{name}_before"],
                    after=numbers[f"{name}_after"],
                    area=closing.names.get(f"{name}_name", ""),
                )
            )
        sections.append("\n".join(lines))
    if closing.goals:
        lines = [texts.CLOSING_GOALS.format(count=len(closing.goals))]
        sections.append("\n".join([*lines, *(f"- {title}" for title in closing.goals)]))
    return "\n\n".join(sections)


def support_text() -> str:
    return f"{texts.CLOSING_SUPPORT}\n\n{texts.CRISIS_LINES}"


def sms_texts(closing: Closing) -> tuple[str, str]:
    """The summary and where to find help, each one text within two segments."""
    parts = [texts.SMS_CLOSING]
    if closing.comparison is not None:
        numbers = closing.comparison.numbers()
        parts.append(texts.SMS_CLOSING_SCORES.format(**numbers, **closing.names))
    if closing.goals:  # counted, not named: a shared phone should not show them
        parts.append(texts.SMS_CLOSING_GOALS.format(count=len(closing.goals)))
    return " ".join(parts), texts.SMS_CLOSING_SUPPORT


def mentor_text(closing: Closing, zone: ZoneInfo) -> str:
    name = closing.mentee.display_name
    reason = closing.episode.end_reason or texts.CLOSING_REASON_PLANNED
    lines = [texts.CLOSING_MENTOR.format(name=name, reason=reason)]
    compared = closing.comparison
    if compared is None:
        lines.append(texts.CLOSING_MENTOR_NO_SCORES.format(name=name))
    else:
        lines.append(
            texts.CLOSING_MENTOR_SCORES.format(
                first=_day(compared.first.completed_at, zone),
                what=texts.TIMEPOINT_NAMES[compared.last.timepoint.value],
                last=_day(compared.last.completed_at, zone),
                **compared.numbers(),
                **closing.staff_names,
            )
        )
    if closing.goals:
        titles = "; ".join(closing.goals)
        lines.append(texts.CLOSING_MENTOR_GOALS.format(count=len(closing.goals), titles=titles))
    else:
        lines.append(texts.CLOSING_MENTOR_NO_GOALS)
    return "\n".join(lines)


def mentee_replies(ctx: FlowContext, closing: Closing) -> list[Reply]:
    """The summary as the mentee sees it in a chat: with the picture, or compact by text."""
    if ctx.channel is Channel.SMS:
        return [Reply(text) for text in sms_texts(closing)]
    compared = closing.comparison
    summary = Reply(mentee_text(closing, ctx.zone))
    if compared is not None:
        start = texts.PICTURE_START.format(date=_day(compared.first.completed_at, ctx.zone))
        end = texts.PICTURE_END.format(date=_day(compared.last.completed_at, ctx.zone))
        panels = full_picture(
            ctx.instruments, compared.after, Earlier(start, compared.before), Look(end)
        )
        summary = Reply(summary.text, picture=panels)
    return [summary, Reply(support_text())]


async def after_exit(ctx: FlowContext, person: Person, replies: list[Reply]) -> list[Reply]:
    """The exit check just finished: on or after the planned end, mentoring ends now."""
    episode = await people.active_episode(ctx.session, person.id)
    if episode is None or ctx.today() < episode.planned_end_on:
        return replies  # done early: the scheduler ends it on the planned day
    await end_episode(ctx.session, episode, now=ctx.now(), today=ctx.today())
    closing = await gather(ctx.session, episode, ctx.instruments)
    if episode.mentor_id is not None:
        await ctx.queue(mentor_message(closing, ctx.zone, ctx.now()))
    return [replies[0], *mentee_replies(ctx, closing)]


async def show_summary(ctx: FlowContext, person: Person, _argument: str) -> Outcome:
    """/summary: the closing summary again, with its picture."""
    episode = await endings.latest_ended(ctx.session, person.id)
    if episode is None:
        return Outcome([Reply(texts.SUMMARY_NOT_YET)])
    return Outcome(mentee_replies(ctx, await gather(ctx.session, episode, ctx.instruments)))


async def ended_menu(ctx: FlowContext, person: Person) -> Outcome | None:
    """The menu for a mentee whose mentoring has ended; None for anyone else."""
    if person.role is not Role.MENTEE:
        return None
    if await people.active_episode(ctx.session, person.id) is not None:
        return None
    if await endings.latest_ended(ctx.session, person.id) is None:
        return None
    choices = (
        Choice(texts.MENU_FIND, "/find"),
        Choice(texts.MENU_SUMMARY, "/summary"),
        Choice(texts.MENU_HELP, "/help"),
    )
    return Outcome([Reply(texts.ENDED_MENU, choices=choices, token=MENU_TOKEN)])
