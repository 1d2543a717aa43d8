"""Joining: an invite code, a plain account of what is kept and who sees it, then consent.

Nothing is kept unless the person agrees: until then they exist only as a pending row that a
"no" deletes, and the invite stays unused so they can change their mind.
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.flows import checkin, texts
from bot.flows.context import FlowContext
from bot.flows.types import Answered, Choice, InboundMessage, Outcome, Reply, Sender
from bot.questions.vocabulary import read_choice, read_yes_no
from bot.storage import conversations, people
from bot.storage.models import Invite, Person, PersonStatus, Role

FLOW = "onboarding"
_AGREE, _DECLINE = "agree", "decline"
_CONSENT_LABELS = (texts.CONSENT_YES, texts.CONSENT_NO, "decline")


def consent_replies(name: str, token: str) -> list[Reply]:
    choices = (Choice(texts.CONSENT_YES, _AGREE), Choice(texts.CONSENT_NO, _DECLINE))
    return [
        Reply(texts.WELCOME.format(name=name)),
        Reply(texts.WHAT_WE_KEEP),
        Reply(texts.WHO_SEES),
        Reply(texts.HOW_TO_STOP),
        Reply(texts.ASK_CONSENT, choices=choices, token=token),
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
    token = secrets.token_hex(3)
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step="consent",
        data={"invite": invite.id, "token": token},
        now=ctx.now(),
    )
    return Outcome(consent_replies(invite.mentee_name, token))


def _decision(message: InboundMessage) -> str | None:
    if message.choice is not None:
        return message.choice if message.choice in (_AGREE, _DECLINE) else None
    said = read_yes_no(message.text or "")
    if said is None:  # the buttons' own words ("No, thanks"), or "decline"
        picked = read_choice(message.text or "", _CONSENT_LABELS)
        said = None if picked is None else picked == 0
    return None if said is None else _AGREE if said else _DECLINE


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Records consent and starts the baseline, or forgets the person if they say no."""
    if message.choice is not None and message.token != data["token"]:
        return Outcome(stale_tap=True)
    decision = _decision(message)
    invite = await ctx.session.get(Invite, data["invite"])
    if decision is None:
        choices = (Choice(texts.CONSENT_YES, _AGREE), Choice(texts.CONSENT_NO, _DECLINE))
        return Outcome([Reply(texts.CONSENT_REASK, choices=choices, token=data["token"])])
    tapped = message.choice is not None
    if invite is None or invite.used_at is not None or invite.expires_at <= ctx.now():
        await people.remove_person(ctx.session, person)
        return Outcome([Reply(texts.START_BAD_CODE)])
    if decision == _DECLINE:
        await people.remove_person(ctx.session, person)
        answered = Answered(texts.CONSENT_NO) if tapped else None
        return Outcome([Reply(texts.CONSENT_DECLINED)], answered=answered)
    await _join(ctx, person, invite)
    outcome = await checkin.start(ctx, person)
    outcome.replies.insert(0, Reply(texts.CONSENT_THANKS))
    outcome.answered = Answered(texts.CONSENT_YES) if tapped else None
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
