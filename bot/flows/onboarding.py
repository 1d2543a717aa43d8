"""Joining: an invite code, a plain account of what is kept and who sees it, then consent.

Nothing is kept unless the person agrees: until then they exist only as a pending row that a
"no" deletes, and the invite stays unused so they can change their mind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.flows import checkin, texts
from bot.flows.context import FlowContext
from bot.flows.types import Answered, Outcome
from bot.messages import Choice, InboundMessage, Reply, Sender
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import FlowState, new_token
from bot.questions.vocabulary import closest, fold, read_yes_no
from bot.storage import conversations, people
from bot.storage.models import Invite, Person, PersonStatus, Role

FLOW = "onboarding"
_AGREE, _DECLINE = "agree", "decline"
# Read as well as yes or no and the buttons' own words; a word, never a number.
_DECLINE_WORDS = {"decline": _DECLINE, "i decline": _DECLINE}


@dataclass(frozen=True)
class OnboardingState(FlowState):
    """The invite being answered and the consent question's token (the keys saved before)."""

    invite: int
    token: str


def _yes_agrees(text: str) -> str | None:
    said = read_yes_no(text)
    if said is None:
        return closest(fold(text), _DECLINE_WORDS)
    return _AGREE if said else _DECLINE


CONSENT = Question(
    prompt=texts.ASK_CONSENT,
    choices=(Choice(texts.CONSENT_YES, _AGREE), Choice(texts.CONSENT_NO, _DECLINE)),
    read_words=_yes_agrees,
)


def consent_replies(name: str, token: str) -> list[Reply]:
    return [
        Reply(texts.WELCOME.format(name=name)),
        Reply(texts.WHAT_WE_KEEP),
        Reply(texts.WHO_SEES),
        Reply(texts.HOW_TO_STOP),
        asking.ask(CONSENT, token),
    ]


async def begin(ctx: FlowContext, person: Person | None, sender: Sender, code: str) -> Outcome:
    """Opens an invite: shows what joining means and asks for agreement."""
    if person is not None and person.status is PersonStatus.ACTIVE:
        return Outcome([Reply(texts.ALREADY_JOINED)])
    invite = await people.usable_invite(ctx.session, code, ctx.now())
    if invite is None:
        return Outcome([Reply(texts.START_BAD_CODE)])
    if person is None:
        person = await people.add_person(
            ctx.session,
            role=Role.MENTEE,
            display_name=invite.mentee_name,
            now=ctx.now(),
            sender=sender,
            status=PersonStatus.PENDING,
        )
    state = OnboardingState(invite.id, new_token())
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step="consent",
        data=state.dump(),
        now=ctx.now(),
    )
    return Outcome(consent_replies(invite.mentee_name, state.token))


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Records consent and starts the baseline, or forgets the person if they say no.

    Read with `asking.read` rather than `asked.answer`: before consent nothing may be kept,
    so words of one's own get the re-ask, not the kind reply that offers to pass them on.
    """
    state = OnboardingState.load(data)
    got = asking.read(CONSENT, message, state.token)
    if got.kind is Kind.STALE:
        return Outcome(stale_tap=True)
    if got.kind is not Kind.ANSWER:
        channel = ctx.channel or message.sender.channel
        return Outcome([Reply(asking.reask(CONSENT, channel)), asking.ask(CONSENT, state.token)])
    invite = await ctx.session.get(Invite, state.invite)
    answered = Answered(got.label(CONSENT)) if message.choice is not None else None
    if invite is None or invite.used_at is not None or invite.expires_at <= ctx.now():
        await people.remove_person(ctx.session, person)
        ctx.person_id = None  # gone: nothing can be queued for them
        return Outcome([Reply(texts.START_BAD_CODE)])
    if got.value == _DECLINE:
        await people.remove_person(ctx.session, person)
        ctx.person_id = None  # gone: nothing can be queued for them
        return Outcome([Reply(texts.CONSENT_DECLINED)], answered=answered)
    await _join(ctx, person, invite)
    outcome = await checkin.start(ctx, person)
    outcome.replies.insert(0, Reply(texts.CONSENT_THANKS))
    outcome.answered = answered
    return outcome


async def _join(ctx: FlowContext, person: Person, invite: Invite) -> None:
    now = ctx.now()
    await people.record_consent(ctx.session, person=person, version=texts.CONSENT_VERSION, now=now)
    person.status = PersonStatus.ACTIVE
    invite.used_at, invite.used_by_id = now, person.id
    await people.start_episode(
        ctx.session,
        mentee=person,
        mentor_id=invite.created_by_id,
        site=invite.site,
        today=ctx.today(),
        now=now,
    )
    await ctx.notify(
        invite.created_by_id,
        f"person:{person.id}:joined",
        texts.NOTICE_JOINED.format(name=person.display_name),
    )
