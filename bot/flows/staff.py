"""Staff actions on the chat: for now, inviting a new mentee.

Role checks happen here, on every call, not by hiding commands.
"""

from __future__ import annotations

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome, Reply
from bot.storage import people
from bot.storage.models import Person, Role

STAFF_ROLES = (Role.MENTOR, Role.SUPERVISOR)
FIRST_SITE = "hub"  # clients start at the hub clinic and move to a spoke when more stable
MAX_NAME = 32


async def invite(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """Creates a single-use invite for a new mentee and shows how they can join."""
    name = " ".join(argument.split())
    if not name:
        return Outcome([Reply(texts.INVITE_NEEDS_NAME)])
    if len(name) > MAX_NAME:
        return Outcome([Reply(texts.INVITE_NAME_TOO_LONG)])
    created = await people.create_invite(
        ctx.session, created_by=person, mentee_name=name, site=FIRST_SITE, now=ctx.now()
    )
    how = [texts.INVITE_CODE.format(code=created.code)]
    link = ctx.links.telegram_link(created.code)
    if link is not None:
        how.insert(0, texts.INVITE_LINK.format(link=link))
    return Outcome([Reply(texts.INVITE_CREATED.format(name=name, how="\n".join(how)))])
