"""The replies a process that died left unsent, sent by the next serve.

A process killed between the commit of a message and the send of its reply leaves the reply
`replying` in the outbox (bot/delivery/live_replies.py). The next serve puts such replies back
and sends them RECOVER_AFTER its start: long enough for the person's next message, if they did
see the reply and answered it, to be handled first and supersede it
(outbox.skip_superseded_replies), so nobody is asked the same question twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.scheduling.dispatcher import Dispatcher
from bot.storage import outbox

logger = logging.getLogger(__name__)

RECOVER_AFTER = 15.0  # seconds after serve starts


async def recover(
    dispatcher: Dispatcher, *, started: datetime, after: float = RECOVER_AFTER
) -> int:
    """Send the replies a process that died left unsent; returns how many were put back."""
    await asyncio.sleep(after)
    while True:
        try:
            async with (
                dispatcher.writing(),
                dispatcher.session_factory() as session,
                session.begin(),
            ):
                ids = await outbox.release_replies(session, claimed_before=started)
                if ids:
                    await outbox.skip_superseded_replies(session)
            break
        except (SQLAlchemyError, OSError) as exc:  # the database is away: wait for it
            logger.warning("Could not look for unsent replies: %s", type(exc).__name__)
            await asyncio.sleep(after)
    if ids:
        logger.warning("Sending %d replies left unsent by a process that stopped", len(ids))
        await dispatcher.deliver(ids)
    return len(ids)
