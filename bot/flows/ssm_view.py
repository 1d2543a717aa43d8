"""The mentor's view of a mentee's self-sufficiency ratings, beside the mentee's own ARC.

The matrix is the mentor's judgement made with the mentee; the ARC is the mentee's own answers.
Shown together, each checks the other. `summary_lines` and `arc_lines` are plain functions so
other staff views (the mentee's plan) can show the same lines.
"""

from __future__ import annotations

import math
from datetime import datetime

from bot.flows import texts
from bot.flows.battery import FULL_TIMEPOINTS
from bot.flows.context import FlowContext
from bot.flows.dates import day_label
from bot.instruments.glossary import area_name
from bot.instruments.model import DOMAIN_PREFIX, MEAN_KEY
from bot.instruments.ssm import shipped_matrix
from bot.reports.rounding import shown, whole
from bot.storage import assessments, people, ratings
from bot.storage.models import Person

ARC = "arc"


async def mentor_view(ctx: FlowContext, mentee: Person) -> str:
    """The latest self-sufficiency rating, then the mentee's latest ARC, as one message."""
    return "\n".join([*await summary_lines(ctx, mentee), "", *await arc_lines(ctx, mentee)])


async def summary_lines(ctx: FlowContext, mentee: Person) -> list[str]:
    """The latest rating of each domain in this episode, with the change since it was first
    rated; one line saying so when the mentee has not been rated."""
    matrix = shipped_matrix()
    episode = await people.active_episode(ctx.session, mentee.id)
    rated = []
    if episode is not None:
        rated = await ratings.ratings_in_episode(ctx.session, episode.id, matrix.id)
    if not rated:
        return [texts.SSM_NONE.format(name=mentee.display_name)]
    latest, now = rated[-1]
    earlier = [scores for _, scores in rated[:-1]]
    lines = [
        texts.SSM_HEADER.format(
            name=mentee.display_name,
            when=_day(ctx, latest.completed_at or latest.started_at),
            what=texts.SSM_TIMEPOINTS[latest.timepoint.value],
        )
    ]
    for domain in matrix.domains:
        key = DOMAIN_PREFIX + domain.id
        if key not in now:
            lines.append(texts.SSM_NOT_RATED.format(domain=domain.name))
            continue
        level = round(now[key])
        line = texts.SSM_LINE.format(
            domain=domain.name, level=level, level_name=matrix.level_name(level)
        )
        first = next((scores[key] for scores in earlier if key in scores), None)
        if first is not None:
            line += texts.SSM_CHANGE.format(first=round(first), change=_change(level - first))
        lines.append(line)
    if earlier:
        first_mean = earlier[0][MEAN_KEY]
        lines.append(texts.SSM_MEAN_CHANGE.format(mean=now[MEAN_KEY], first=first_mean))
    else:
        lines.append(texts.SSM_MEAN.format(mean=now[MEAN_KEY]))
    return lines


async def arc_lines(ctx: FlowContext, mentee: Person) -> list[str]:
    """The ARC total and domain scores from the mentee's latest full check in this episode."""
    episode = await people.active_episode(ctx.session, mentee.id)
    sitting = None
    if episode is not None:
        sitting = await ratings.latest_own_sitting(ctx.session, episode.id, FULL_TIMEPOINTS)
    scores = {} if sitting is None else (await assessments.scores_for(ctx.session, sitting.id))
    arc = ctx.instruments.get(ARC)
    if sitting is None or arc is None or ARC not in scores:
        return [texts.ARC_NONE.format(name=mentee.display_name)]
    now = scores[ARC]
    lines = [
        texts.ARC_HEADER.format(
            name=mentee.display_name,
            when=_day(ctx, sitting.completed_at or sitting.started_at),
            total=shown(now.get("total", math.nan)),
            most=whole(arc.score_range("total")[1]),
        )
    ]
    for domain in arc.domains:
        key = DOMAIN_PREFIX + domain.id
        most = whole(arc.score_range(key)[1])
        name = area_name(domain, staff=True)
        lines.append(
            texts.ARC_LINE.format(domain=name, score=shown(now.get(key, math.nan)), most=most)
        )
    return lines


def _day(ctx: FlowContext, moment: datetime) -> str:
    return day_label(moment.astimezone(ctx.zone).date())


def _change(difference: float) -> str:
    return f"{difference:+.0f}" if round(difference) else texts.SSM_NO_CHANGE
