"""Every kind of record kept about a mentee, tied to its tables, its words and its counts.

/privacy names each kind in plain words (texts.KEPT_WORDS), /mydata's file holds each in its
own sections and its summary counts them (texts.KEPT_COUNTS). Tying kinds to tables here lets a
test fail when a table is added that no one has put into words for the people it is about
(tests/flows/test_your_data.py): a new table either joins a kind or says why it holds nothing
about a mentee.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.flows import texts
from bot.messages import Reply


@dataclass(frozen=True)
class Kind:
    tables: tuple[str, ...]  # where it is stored
    sections: tuple[str, ...]  # where it is in the /mydata file (bot.storage.access)


KINDS: dict[str, Kind] = {
    "you": Kind(
        ("people", "invites", "consents", "conversation_states"),
        ("you", "how_you_joined", "consents", "chat_in_progress"),
    ),
    "mentoring": Kind(("episodes", "site_moves"), ("mentoring", "clinic_moves")),
    "check_ins": Kind(("assessments", "answers", "scores"), ("check_ins",)),
    "ratings": Kind(("assessments", "answers", "scores"), ("ratings_by_your_mentor",)),
    "priorities": Kind(("priorities",), ("priorities",)),
    "goals": Kind(("goals", "goal_steps", "goal_progress"), ("goals",)),
    "meetings": Kind(("meetings",), ("meetings",)),
    "notes": Kind(("session_notes",), ("notes_by_your_mentor",)),
    "relayed": Kind(
        ("relay_messages",),
        ("messages_you_sent_through_the_bot", "messages_to_you_through_the_bot"),
    ),
    "services": Kind(("signposts",), ("services_sent_to_you",)),
    "safety": Kind(("crisis_alerts",), ("safety_alerts",)),
    "concerns": Kind(("outbox",), ("concerns_you_raised",)),
    "sent": Kind(
        # sent_pictures: a picture sent by WhatsApp, kept an hour for Twilio to fetch.
        ("outbox", "delivery_attempts", "telegram_updates", "sent_pictures"),
        ("messages_sent_to_you", "messages_you_typed_to_the_bot"),
    ),
    "looked": Kind(("audit_events",), ("staff_who_looked_at_your_record",)),
}

NOT_ABOUT_A_MENTEE = {
    "processed_inbound": "ids of messages already handled, nothing else",
    "resources": "the directory of services",
    "lookup_counts": "how often each kind of help was looked up, per site and day",
    "supervisions": "staff supervision sessions",
    "erased_counts": "anonymous counts left by people who were forgotten",
    "scheduler_heartbeats": "when the scheduler last ran",
    "external_cohorts": "another programme's group, kept to compare with: a name only",
    "external_scores": "that group's scores, each person a number (no names or ids)",
    "staff_sign_in_links": "one-time links for staff into the dashboard",
    "staff_web_sessions": "staff signed in to the dashboard",
}

# Telegram allows far more, but the same words go by text, where two parts is the most we send.
LONGEST_REPLY = 306


def privacy_replies() -> list[Reply]:
    """Every kind kept, one plain line each, in as few messages as fit."""
    lines = [texts.PRIVACY_KEPT_HEAD, *(f"- {texts.KEPT_WORDS[kind]}" for kind in KINDS)]
    messages: list[str] = []
    for line in lines:
        if messages and len(messages[-1]) + 1 + len(line) <= LONGEST_REPLY:
            messages[-1] += "\n" + line
        else:
            messages.append(line)
    return [Reply(message) for message in messages]


def counts(data: dict[str, Any]) -> list[str]:
    """'Goals: 2' for every kind the person has any of, in the /privacy order."""
    found = []
    for kind, label in texts.KEPT_COUNTS.items():
        count = sum(len(data[section]) for section in KINDS[kind].sections)
        if count:
            found.append(label.format(count=count))
    return found
