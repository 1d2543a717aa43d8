"""What a mentee sees when a check-in ends: scores kept, a few plain words, and a picture.

The summary names two strongest areas and two to work on (ARC domain scores are for the
picture and care planning; INSTRUMENTS.md §1). The picture puts the first sitting beside the
latest so progress is visible at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.flows import texts
from bot.flows.battery import FULL_TIMEPOINTS, battery
from bot.flows.context import FlowContext
from bot.flows.types import Reply
from bot.instruments import Domain, Instrument, score
from bot.instruments.scoring import answered
from bot.reports.charts import Panel, Series
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
        assessments.save_scores(
            ctx.session, assessment_id=assessment.id, instrument=name, scores=now_scores[name]
        )
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
        when = earlier.completed_at.astimezone(ctx.zone)
        label = texts.PICTURE_BEFORE.format(date=f"{when.day} {when:%b}")
        before = Earlier(label, await assessments.scores_for(ctx.session, earlier.id))
    await _tell_mentor(ctx, person, assessment)
    summary = (_weekly_summary if weekly else _full_summary)(ctx, now_scores, before)
    if given < asked:  # skipped questions: say what the numbers rest on
        based_on = texts.BASED_ON.format(given=given, asked=asked)
        summary = replace(summary, text=f"{summary.text}\n{based_on}")
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
    (every area at the bottom has no "strongest", every area at the top nothing to work on)."""
    # sorted() is stable: ties keep the questionnaire's order. An area skipped too often to
    # score is neither strongest nor one to work on.
    scored = [domain for domain in instrument.domains if f"domain:{domain.id}" in scores]
    if len(scored) < 4:
        return [], []
    ranked = sorted(scored, key=lambda domain: -scores[f"domain:{domain.id}"])
    low, high = instrument.score_range(f"domain:{instrument.domains[0].id}")
    strongest = ranked[:2]
    weakest = [domain for domain in reversed(ranked) if domain not in strongest][:2]
    return (
        strongest if scores[f"domain:{strongest[1].id}"] > low else [],
        weakest if scores[f"domain:{weakest[1].id}"] < high else [],
    )


def _domain_lines(instrument: Instrument, scores: Mapping[str, float]) -> list[str]:
    """'Strongest: A and B' and 'To work on: C and D', leaving out a line that would mislead."""
    strongest, weakest = strongest_and_weakest(instrument, scores)
    lines = []
    if strongest:
        lines.append(texts.STRONGEST.format(first=strongest[0].plain, second=strongest[1].plain))
    if weakest:
        lines.append(texts.TO_WORK_ON.format(first=weakest[0].plain, second=weakest[1].plain))
    return lines


def _panel(
    title: str,
    rows: list[tuple[Instrument, str]],
    now: Scores,
    before: Earlier | None,
    now_label: str = texts.PICTURE_NOW,
) -> Panel:
    """One chart panel: a bar per (instrument, score key), earlier sitting beside now."""

    def values(scores: Scores) -> tuple[float, ...]:
        # NaN marks a score left out because too many of its questions were skipped.
        return tuple(scores[instrument.id].get(key, math.nan) for instrument, key in rows)

    series = [Series(now_label, values(now))]
    if before is not None:
        series.insert(0, Series(before.label, values(before.scores)))
    first, key = rows[0]
    low, high = first.score_range(key)
    return Panel(
        title=title,
        categories=tuple(_label(instrument, key) for instrument, key in rows),
        series=tuple(series),
        scale_min=low,
        scale_max=high,
        higher_is_better=first.scoring.higher_is_better,
    )


def _label(instrument: Instrument, key: str) -> str:
    """A domain's plain name; a one-scale instrument (CEST) is named by its only domain."""
    domain_id = key.removeprefix("domain:")
    by_id = {domain.id: domain.plain for domain in instrument.domains}
    return by_id.get(domain_id, instrument.domains[0].plain)


def _domains(instrument: Instrument) -> list[tuple[Instrument, str]]:
    return [(instrument, f"domain:{domain.id}") for domain in instrument.domains]


def _full_summary(ctx: FlowContext, now: Scores, before: Earlier | None) -> Reply:
    arc = ctx.instruments["arc"]
    lines = _domain_lines(arc, now["arc"])
    for name, line in zip(CEST_SCALES, (texts.SELF_ESTEEM, texts.SELF_EFFICACY), strict=True):
        value = now[name].get("score")
        if value is None:
            what = ctx.instruments[name].domains[0].plain.lower()
            lines.append(texts.NOT_ENOUGH_ANSWERS.format(what=what))
        else:
            lines.append(line.format(score=round(value)))
    return Reply("\n".join(lines), picture=full_picture(ctx.instruments, now, before))


def full_picture(
    instruments: Mapping[str, Instrument],
    now: Scores,
    before: Earlier | None,
    now_label: str = texts.PICTURE_NOW,
) -> tuple[Panel, Panel]:
    """The ARC domains and the two CEST scales, an earlier full check beside a later one."""
    cest_rows = [(instruments[name], "score") for name in CEST_SCALES]
    return (
        _panel(texts.PICTURE_ARC_TITLE, _domains(instruments["arc"]), now, before, now_label),
        _panel(texts.PICTURE_CEST_TITLE, cest_rows, now, before, now_label),
    )


def _weekly_summary(ctx: FlowContext, now: Scores, before: Earlier | None) -> Reply:
    weekly = ctx.instruments["weekly"]
    total = now["weekly"].get("total")
    earlier = None if before is None else before.scores.get("weekly", {}).get("total")
    if total is None:
        headline = texts.NOT_ENOUGH_ANSWERS.format(what=texts.THIS_WEEK)
    elif earlier is None:
        headline = texts.WEEKLY_TOTAL.format(score=round(total))
    else:
        headline = texts.WEEKLY_TOTAL_BEFORE.format(score=round(total), before=round(earlier))
    lines = [headline, *_domain_lines(weekly, now["weekly"])]
    panel = _panel(texts.PICTURE_WEEKLY_TITLE, _domains(weekly), now, before)
    return Reply("\n".join(lines), picture=(panel,))
