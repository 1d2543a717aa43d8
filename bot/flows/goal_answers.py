"""The mentee's answer to a goal reminder: Done, Some progress, Not yet or Change it.

The reminder is sent by the scheduler (`bot.flows.goal_reminders`). Its buttons carry their
own token (`gr-42-20260331`: the goal and the local date of the reminder), so a tap days later,
even mid-check-in, is answered without touching the flow the mentee is in, and a second tap on
the same reminder counts once. Whose goal it is is checked on every tap. "Done" is celebrated
and the mentor told; three "not yet" in a row is a sign to talk it over, so the mentee is
offered that and the mentor nudged, once for that run of answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.goal_reminders import ANSWER_CHOICES, parse_token, reminder_key, withdraw
from bot.flows.types import Answered, Outcome
from bot.messages import Choice, InboundMessage, Reply
from bot.storage import goals
from bot.storage.models import Episode, Goal, GoalAnswer, GoalStatus, Person

MENU_TOKEN = "menu"  # taps on it run the command they carry (see flows.engine)
NOT_YET_TO_TALK = 3  # "not yet" answers in a row before suggesting a chat with the mentor
_LABELS = {value: label for label, value in ANSWER_CHOICES}
_NOT_ACTIVE = {GoalStatus.DONE: texts.GOAL_ALREADY_DONE, GoalStatus.PAUSED: texts.GOAL_PAUSED_NOW}


@dataclass(frozen=True)
class GoalTap:
    """A tap on a goal reminder's button: which goal, which day's reminder, which answer."""

    goal_id: int
    day: date
    choice: str


def parse_action(message: InboundMessage) -> GoalTap | None:
    """The goal reminder tap this message is (token `gr-42-20260331`); None for anything else."""
    if message.choice is None or message.token is None:
        return None
    parsed = parse_token(message.token)
    return None if parsed is None else GoalTap(parsed[0], parsed[1], message.choice)


async def handle(ctx: FlowContext, person: Person, tap: GoalTap) -> Outcome:
    """Records the answer once per reminder and responds to it; forged taps do nothing."""
    goal = await goals.goal_of(ctx.session, person.id, tap.goal_id)
    if goal is None or tap.choice not in _LABELS:
        return Outcome(stale_tap=True)
    answered = Answered(_LABELS[tap.choice])
    if goal.status is not GoalStatus.ACTIVE:
        why = _NOT_ACTIVE.get(goal.status, texts.GOAL_NOT_ON_PLAN)
        return Outcome([Reply(why)], answered=answered)
    answer = GoalAnswer(tap.choice)
    key = reminder_key(goal.id, tap.day)
    recorded = await goals.record_progress(
        ctx.session, goal_id=goal.id, answer=answer, now=ctx.now(), reminder_key=key
    )
    if not recorded:
        return Outcome([Reply(texts.GOAL_ANSWERED_ALREADY)], answered=answered)
    answer_for = _Answer(ctx, person, goal, await _mentor(ctx, goal), key)
    return Outcome(await _RESPONSES[answer](answer_for), answered=answered)


@dataclass(frozen=True)
class _Answer:
    ctx: FlowContext
    person: Person
    goal: Goal
    mentor: Person | None
    key: str  # the reminder's key: notices about this answer go once

    async def tell_mentor(self, what: str, text: str) -> str:
        """Queue a notice to the mentor; the sentence telling the mentee so, or ""."""
        if self.mentor is None:
            return ""
        notice = text.format(name=self.person.display_name, goal=self.goal.title)
        await self.ctx.notify(self.mentor.id, f"{self.key}:{what}", notice)
        return texts.GOAL_TOLD_MENTOR.format(mentor=self.mentor.display_name)

    @property
    def mentor_name(self) -> str:
        return self.mentor.display_name if self.mentor is not None else texts.YOUR_MENTOR


async def _done(answer: _Answer) -> list[Reply]:
    goals.set_status(answer.goal, GoalStatus.DONE, now=answer.ctx.now())
    await withdraw(answer.ctx.session, answer.goal.id, reason="goal done", now=answer.ctx.now())
    told = await answer.tell_mentor("told-done", texts.GOAL_NOTICE_DONE)
    return [Reply(_join(texts.GOAL_THANKS_DONE, told))]


async def _some(answer: _Answer) -> list[Reply]:
    return [Reply(texts.GOAL_THANKS_SOME)]


async def _not_yet(answer: _Answer) -> list[Reply]:
    streak = await goals.not_yet_streak(answer.ctx.session, answer.goal.id)
    if streak != NOT_YET_TO_TALK:  # once a run: not again on the fourth or fifth
        return [Reply(texts.GOAL_THANKS_NOT_YET)]
    told = await answer.tell_mentor("told-not-yet", texts.GOAL_NOTICE_NOT_YET)
    talk = texts.GOAL_TALK_IT_OVER.format(mentor=answer.mentor_name)
    return [Reply(_join(talk, texts.GOAL_LET_THEM_KNOW if told else ""))]


async def _change(answer: _Answer) -> list[Reply]:
    told = await answer.tell_mentor("told-change", texts.GOAL_NOTICE_CHANGE)
    choices = (Choice(texts.GOAL_CHANGE_BUTTON, "/goals"),)
    return [Reply(_join(texts.GOAL_CHANGE_HOW, told), choices=choices, token=MENU_TOKEN)]


_RESPONSES: dict[GoalAnswer, Callable[[_Answer], Awaitable[list[Reply]]]] = {
    GoalAnswer.DONE: _done,
    GoalAnswer.SOME: _some,
    GoalAnswer.NOT_YET: _not_yet,
    GoalAnswer.CHANGE: _change,
}


def _join(*sentences: str) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


async def _mentor(ctx: FlowContext, goal: Goal) -> Person | None:
    episode = await ctx.session.get(Episode, goal.episode_id)
    if episode is None or episode.mentor_id is None:
        return None
    return await ctx.session.get(Person, episode.mentor_id)
