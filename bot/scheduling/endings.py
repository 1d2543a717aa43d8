"""The scheduler's part in ending mentoring: episodes whose time is up end, and both people
get the closing summary through the outbox.

An episode ends on its planned day when the exit check is done, or `episode_end_grace_days`
(config/reminders.yaml) after it when the mentee has not done it (bot/flows/closing.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import closing
from bot.instruments import Instrument
from bot.reminder_policy import ReminderPolicy
from bot.storage import endings, outbox


async def end_due_episodes(
    session: AsyncSession,
    now: datetime,
    *,
    policy: ReminderPolicy,
    zone: ZoneInfo,
    instruments: Mapping[str, Instrument],
) -> int:
    """End every episode whose time is up and queue its summaries; returns how many ended."""
    today = now.astimezone(zone).date()
    grace = timedelta(days=policy.episode_end_grace_days)
    due = await endings.due_to_end(session, today=today, grace=grace)
    for episode in due:
        for message in await closing.end_and_queue(
            session, episode, now=now, zone=zone, instruments=instruments
        ):
            await outbox.enqueue(session, message, now=now)
    return len(due)
