"""What a mentee sees when a check-in ends: scores kept, a few plain words, and a picture.

The summary names two strongest areas and two to work on (ARC domain scores are for the
picture and care planning; docs/instruments.md, ARC). The picture puts the first sitting beside the
latest so progress is visible at a glance, each dated, with the same areas marked strongest
and to work on, the same area names (bot/instruments/glossary.py) and the same numbers
(bot/reports/rounding.py) as the chat. A weekly check-in is only ever drawn beside an earlier
weekly one, on its own chart: its 1 to 6 answers are not the full check's 0 to 5 areas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.flows import texts
from bot.flows.battery import FULL_TIMEPOINTS, battery
from bot.flows.context import FlowContext
from bot.flows.dates import short_date
from bot.instruments import Domain, Instrument, score
from bot.instruments.glossary import area_name, scale_words, score_name
from bot.instruments.model import MEAN_KEY
from bot.instruments.scoring import answered
from bot.messages import Reply
from bot.reports.charts import Panel, Series
from bot.reports.rounding import shown
from bot.storage import assessments, people
from bot.storage.models import Assessment, AssessmentStatus, Person, Timepoint

Scores = Mapping[str, Mapping[str, float]]  # {instrument id: {score key: value}}
CEST_SCALES = ("cest_self_esteem", "cest_self_efficacy")


@dataclass(frozen=True)
class Earlier:
    """The first sitting of the same kind: what the picture puts beside 'now'."""

    label: str
    scores: Scores


async def finish_assessment(
    ctx: FlowContext, person: Person, assessment: Assessment
) -> list[Reply]:
    """Scores and closes the sitting, tells the mentor, and returns the mentee's summary."""
    answers = await assessments.answers_for(ctx.session, assessment.id)
    now_scores: dict[str, dict[str, float]] = {}
    given = asked = 0
    for name in battery(assessment.timepoint):
        now_scores[name] = score(ctx.instruments[name], answers.get(name, {}))
        counts = answered(ctx.instruments[name], answers.get(name, {}))
        given, asked = given + counts[0], asked + counts[1]
    await assessments.save_scores(ctx.session, assessment_id=assessment.id, scores=now_scores)
    assessment.status = AssessmentStatus.COMPLETE
    assessment.completed_at = ctx.now()

    weekly = assessment.timepoint is Timepoint.WEEKLY
    earlier = await assessments.earliest_complete(
        ctx.session,
        episode_id=assessment.episode_id,
        timepoints=(Timepoint.WEEKLY,) if weekly else FULL_TIMEPOINTS,
        before_id=assessment.id,
    )
    before: Earlier | None = None
    if earlier is not None and earlier.completed_at is not None:
        template = texts.PICTURE_FIRST_WEEK if weekly else texts.PICTURE_BEFORE
        label = template.format(date=day(earlier.completed_at, ctx.zone))
        before = Earlier(label, await assessments.scores_for(ctx.session, earlier.id))
    await _tell_mentor(ctx, person, assessment)
    summary = (_weekly_summary if weekly else _full_summary)(ctx, now_scores, before)
    if given < asked:  # skipped questions: say what the numbers rest on
        based_on = texts.BASED_ON.format(given=given, asked=asked)
        panels = tuple(replace(panel, note=based_on) for panel in summary.picture)
        summary = replace(summary, text=f"{summary.text}\n{based_on}", picture=panels)
    return [Reply(texts.ALL_DONE), summary]


async def _tell_mentor(ctx: FlowContext, person: Person, assessment: Assessment) -> None:
    episode = await people.active_episode(ctx.session, person.id)
    if episode is None or episode.mentor_id is None:
        return
    what = texts.TIMEPOINT_NAMES[assessment.timepoint.value]
    await ctx.notify(
        episode.mentor_id,
        f"assessment:{assessment.id}:finished",
        texts.NOTICE_FINISHED.format(name=person.display_name, what=what),
    )


def strongest_and_weakest(
    instrument: Instrument, scores: Mapping[str, float]
) -> tuple[list[Domain], list[Domain]]:
    """The two strongest and the two weakest domains; a pair is empty when it would mislead
    (every area at the bottom has no "strongest", every area at the top nothing to work on).
    An area with no score (its questions skipped) is neither."""
    scored = [d for d in instrument.domains if f"domain:{d.id}" in scores]
    if len(scored) < 4:  # two strongest and two to work on, apart
        return [], []
    # sorted() is stable: ties keep the questionnaire's order.
    ranked = sorted(scored, key=lambda domain: -scores[f"domain:{domain.id}"])
    low, high = instrument.score_range(f"domain:{instrument.domains[0].id}")
    strongest = ranked[:2]
    weakest = [domain for domain in reversed(ranked) if domain not in strongest][:2]
    if len(weakest) < 2:
        weakest = []
    return (
        strongest if scores[f"domain:{strongest[1].id}"] > low else [],
        weakest if weakest and scores[f"domain:{weakest[1].id}"] < high else [],
    )


def _domain_lines(instrument: Instrument, scores: Mapping[str, float]) -> list[str]:
    """'Strongest: A and B' and 'To work on: C and D', leaving out a line that would mislead."""
    strongest, weakest = strongest_and_weakest(instrument, scores)
    lines = []
    if strongest:
        first, second = (area_name(domain) for domain in strongest)
        lines.append(texts.STRONGEST.format(first=first, second=second))
    if weakest:
        first, second = (area_name(domain) for domain in weakest)
        lines.append(texts.TO_WORK_ON.format(first=first, second=second))
    return lines


def day(moment: datetime, zone: ZoneInfo) -> str:
    """'3 Nov': the date of a sitting as the pictures and summaries give it."""
    return short_date(moment.astimezone(zone).date())


def _marks(instrument: Instrument, scores: Mapping[str, float]) -> tuple[str, ...]:
    """'strongest' / 'to work on' under the areas the chat names so, from the latest scores."""
    strongest, weakest = strongest_and_weakest(instrument, scores)
    marks = {d.id: texts.PICTURE_MARK_STRONGEST for d in strongest}
    marks.update({d.id: texts.PICTURE_MARK_TO_WORK_ON for d in weakest})
    return tuple(marks.get(domain.id, "") for domain in instrument.domains)


@dataclass(frozen=True)
class Look:
    """Who the picture is for and how its two sittings are labelled."""

    now_label: str
    staff: bool = False
    scale_template: str = texts.PICTURE_SCALE_EACH_AREA


def _panel(
    title: str,
    rows: list[tuple[Instrument, str]],
    now: Scores,
    before: Earlier | None,
    look: Look,
    marks: tuple[str, ...] = (),
) -> Panel:
    """One chart panel: a bar per (instrument, score key), earlier sitting beside now. A score
    that is not there (its questions skipped) is NaN, which the chart shows as "no answer"."""

    def values(scores: Scores) -> tuple[float, ...]:
        return tuple(scores.get(i.id, {}).get(key, math.nan) for i, key in rows)

    series = [Series(look.now_label, values(now))]
    if before is not None:
        series.insert(0, Series(before.label, values(before.scores)))
    first, key = rows[0]
    low, high = first.score_range(key)
    return Panel(
        title=title,
        categories=tuple(score_name(i, key, staff=look.staff) for i, key in rows),
        series=tuple(series),
        scale_min=low,
        scale_max=high,
        higher_is_better=first.scoring.higher_is_better,
        scale=look.scale_template.format(scale=scale_words(first, key)),
        marks=marks,
    )


def _domains(instrument: Instrument) -> list[tuple[Instrument, str]]:
    return [(instrument, f"domain:{domain.id}") for domain in instrument.domains]


def _full_summary(ctx: FlowContext, now: Scores, before: Earlier | None) -> Reply:
    arc = ctx.instruments["arc"]
    lines = _domain_lines(arc, now["arc"])
    for name, template in zip(CEST_SCALES, (texts.SELF_ESTEEM, texts.SELF_EFFICACY), strict=True):
        instrument = ctx.instruments[name]
        value = now.get(name, {}).get(MEAN_KEY)
        if value is None:  # too many of its questions skipped to score it
            what = score_name(instrument, MEAN_KEY).lower()
            lines.append(texts.NOT_ENOUGH_ANSWERS.format(what=what))
            continue
        lines.append(
            template.format(
                area=score_name(instrument, MEAN_KEY),
                score=shown(value),
                scale=scale_words(instrument, MEAN_KEY),
            )
        )
    label = texts.PICTURE_NOW.format(date=day(ctx.now(), ctx.zone))
    picture = full_picture(ctx.instruments, now, before, Look(label))
    return Reply("\n".join(lines), picture=picture)


def full_picture(
    instruments: Mapping[str, Instrument], now: Scores, before: Earlier | None, look: Look
) -> tuple[Panel, Panel]:
    """The ARC domains and the two CEST scales, an earlier full check beside a later one.
    The areas marked strongest and to work on are the ones the chat names, from `now`."""
    arc = instruments["arc"]
    cest_rows = [(instruments[name], MEAN_KEY) for name in CEST_SCALES]
    return (
        _panel(
            texts.PICTURE_ARC_TITLE,
            _domains(arc),
            now,
            before,
            look,
            _marks(arc, now.get("arc", {})),
        ),
        _panel(
            texts.PICTURE_CEST_TITLE,
            cest_rows,
            now,
            before,
            replace(look, scale_template=texts.PICTURE_SCALE_EACH),
        ),
    )


def weekly_picture(
    weekly: Instrument, now: Scores, before: Earlier | None, now_label: str
) -> tuple[Panel]:
    """The weekly check-in on its own chart: its own title and its 1 to 6 answer scale, only
    ever beside an earlier weekly check-in. It shares the full check's area names, so drawing
    the two on one chart would make a change of scale look like progress."""
    look = Look(now_label, scale_template=texts.PICTURE_SCALE_EACH_ANSWER)
    marks = _marks(weekly, now.get("weekly", {}))
    return (_panel(texts.PICTURE_WEEKLY_TITLE, _domains(weekly), now, before, look, marks),)


def _weekly_summary(ctx: FlowContext, now: Scores, before: Earlier | None) -> Reply:
    weekly = ctx.instruments["weekly"]
    total = now["weekly"].get("total")
    earlier = None if before is None else before.scores.get("weekly", {}).get("total")
    if total is None:
        headline = texts.NOT_ENOUGH_ANSWERS.format(what=texts.THIS_WEEK)
    elif earlier is None:
        headline = texts.WEEKLY_TOTAL.format(score=shown(total))
    else:
        headline = texts.WEEKLY_TOTAL_BEFORE.format(score=shown(total), before=shown(earlier))
    lines = [headline, *_domain_lines(weekly, now["weekly"])]
    label = texts.PICTURE_THIS_WEEK.format(date=day(ctx.now(), ctx.zone))
    return Reply("\n".join(lines), picture=weekly_picture(weekly, now, before, label))
