"""`/web`: a one-time link into the staff dashboard (issue 18, point 1).

No passwords: the chat already knows who the staff member is, so the bot hands them a link of
their own, good once and for 10 minutes. The link is the public address the operator set
(`MENTORBOT_PUBLIC_URL`); without one there is no dashboard to open.
"""

from __future__ import annotations

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome
from bot.messages import Reply
from bot.storage import staff_web
from bot.storage.models import Person

LOGIN_PATH = "/staff/login/"


async def sign_in_link(ctx: FlowContext, staff: Person, _argument: str = "") -> Outcome:
    if ctx.staff_web_url is None:
        return Outcome([Reply(texts.WEB_NOT_SET_UP)])
    token = await staff_web.create_link(ctx.session, staff, now=ctx.now())
    link = f"{ctx.staff_web_url}{LOGIN_PATH}{token}"
    return Outcome([Reply(texts.WEB_LINK.format(link=link))])
