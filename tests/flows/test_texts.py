"""Every mentee-facing message is short, plain and safe for SMS."""

from __future__ import annotations

import pytest

from bot.flows import texts
from tests.readability import flesch_reading_ease, is_gsm7

STAFF_FACING = {
    "STAFF_HELP",
    "SERVICE_USAGE",
    "SERVICE_PROBLEMS",
    "SERVICE_EXISTS",
    "SERVICE_ADDED",
    "SERVICE_EDITED",
    "EXPORT_USAGE",
    "EXPORT_PSEUDONYMOUS",
    "EXPORT_IDENTIFIED",
    "REPORT_PICTURE",
    "STAFF_COMMAND_HELP",
    "MENTEE_NEEDS_NAME",
    "MENTEE_NOT_ACTIVE",
    "MENTEE_PROFILE",
    "MENTEE_MOVE",
    "MENTEE_FLAGS",
    "MENTEE_NO_SCORES",
    "MENTEE_SCORES_FIRST",
    "MENTEE_SCORES_LATEST",
    "MENTEE_PRIORITIES",
    "MENTEE_GOAL",
    "MENTEE_GOALS_DONE",
    "MENTEE_MEETINGS",
    "MENTEE_DELIVERY",
    "MENTEE_NOTES",
    "MENTEE_NOTE",
    "FORGET_MENTOR_NOTICE",
    "CONCERN_NO_MENTOR",
    "CONCERN_ALERT",
    "CONCERN_ALERT_NEW_MENTOR",
    "NOTE_USAGE",
    "NOTE_TOO_LONG",
    "NOTE_SAVED",
    "SITE_USAGE",
    "SITE_SAME",
    "SITE_MOVED",
    "ASSIGN_USAGE",
    "ASSIGN_SAME",
    "ASSIGN_DONE",
    "ASSIGN_TO_NEW",
    "ASSIGN_TO_OLD",
    "SUPERVISION_USAGE",
    "SUPERVISION_SAVED",
    "STAFF_LINE",
    "CASELOADS_HEADER",
    "CASELOADS_LINE",
    "CASELOADS_OVERDUE",
    "AUDIT_HEADER",
    "AUDIT_SOMEONE",
    "CASELOAD_LINE",
    "CASELOAD_NEVER",
    "CASELOAD_NONE",
    "ATTENTION_HEADER",
    "ATTENTION_NONE",
    "ATTENTION_OPEN_ALERT",
    "ACK_NEEDS_NAME",
    "ACK_NONE_OPEN",
    "ACK_DONE",
    "CRISIS_PICKED_UP",
    "FLAG_SAFETY",
    "FLAG_SAFETY_OPEN",
    "FLAG_UNCONFIRMED",
    "FLAG_DROP",
    "FLAG_NO_CHECKIN",
    "FLAG_NO_MEETING",
    "FLAG_UNFINISHED",
    "FLAG_FAILED",
    "MEASURE_NAMES",
    "COMMAND_DESCRIPTIONS",
    "REPORT_TITLE",
    "REPORT_USAGE",
    "REPORT_NO_MENTOR",
    "REPORT_MORE",
    "COMPARE_TITLE",
    "COMPARE_USAGE",
    "COMPARE_PICTURE",
    "COMPARE_MORE",
    "ADDMENTEE_USAGE",
    "ADDMENTEE_BAD_PHONE",
    "ADDMENTEE_TAKEN",
    "ADDMENTEE_NO_SMS",
    "ADDMENTEE_SENT",
    "ADDPHONE_USAGE",
    "ADDPHONE_SENT",
    "INVITE_NEEDS_NAME",
    "INVITE_NAME_TOO_LONG",
    "INVITE_CREATED",
    "INVITE_LINK",
    "INVITE_CODE",
    "INVITE_BY_TEXT",
    "INVITE_BY_TEXT_NO_NUMBER",
    "NOTICE_JOINED",
    "NOTICE_FINISHED",
    "TIMEPOINT_NAMES",
    "CONSENT_VERSION",
    "NOTICE_BLOCKED",
    "NOTICE_BLOCKED_TEXTING",
    "REMINDER_MENTOR_MORNING",
    "ASK_OUTCOME",
    "OUTCOME_MET",
    "OUTCOME_NO_SHOW",
    "OUTCOME_CANCELLED",
    "NUDGE_NO_MEETING",
    "NUDGE_NO_CHECKIN",
    "NUDGE_UNFINISHED",
    "UPCOMING_NEEDS_NAME",
    "NO_SUCH_MENTEE",
    "UPCOMING_NONE",
    "UPCOMING_HEADER",
    "UPCOMING_LINE",
    "FAILED_NONE",
    "FAILED_HEADER",
    "FAILED_LINE",
    # Meeting booking and management (bot/flows/meetings.py, meeting_actions.py).
    "MEET_NO_MENTEES",
    "MEET_WHO",
    "MEET_WHO_REASK",
    "MEET_NO_MATCH",
    "MEET_WHICH_DAY",
    "MEET_DAY_PAST",
    "MEET_WHAT_TIME",
    "MEET_TIME_OUTSIDE",
    "MEET_TIME_PAST",
    "MEET_WHERE",
    "MEET_OTHER",
    "MEET_TYPE_PLACE",
    "MEET_PLACE_TOO_LONG",
    "MEET_NOT_YOUR_MENTEE",
    "MEET_BOOKED",
    "MEET_BOOKED_REPLACES",
    "MEET_BOOKED_OPTED_OUT",
    "NOTICE_MEETING_CONFIRMED",
    "NOTICE_MEETING_DECLINED",
    "NOTICE_MEETING_MOVE",
    "OUTCOME_NOTED",
    "OUTCOME_CHANGED",
    "MEETINGS_NONE",
    "MEETINGS_ITEM",
    "MEETING_CANCEL",
    "MEETING_MOVE_TO",
    "MEETING_CANCELLED_DONE",
    "MEETING_GONE",
    # Signposting for staff (bot/flows/signpost_send.py, signpost_answers.py, directory_admin.py).
    "SIGNPOST_WHO",
    "SIGNPOST_WHICH_KIND",
    "SIGNPOST_EMPTY",
    "SIGNPOST_WHICH_SERVICE",
    "SIGNPOST_GONE",
    "SIGNPOST_NOT_YOUR_MENTEE",
    "SIGNPOST_SENT",
    "SIGNPOSTS_NEEDS_NAME",
    "SIGNPOSTS_NONE",
    "SIGNPOSTS_HEADER",
    "SIGNPOSTS_LINE",
    "SIGNPOSTS_WILL_ASK",
    "SIGNPOSTS_NO_ANSWER",
    "SIGNPOSTS_SENDER_GONE",
    "STALE_NONE",
    "STALE_HEADER",
    "STALE_LINE",
    "STALE_FOOTER",
    "RETIRE_NEEDS_NAME",
    "RETIRE_NOT_FOUND",
    "RETIRE_WHICH",
    "RETIRE_DONE",
    # Goal reminders: what the mentor is told (bot/flows/goal_answers.py).
    "GOAL_NOTICE_DONE",
    "GOAL_NOTICE_NOT_YET",
    "GOAL_NOTICE_CHANGE",
    # Goals set or edited by staff (bot/flows/goal_staff.py) and notices about goals.
    "GOAL_STAFF_NO_MENTEES",
    "GOAL_STAFF_WHO",
    "GOAL_STAFF_NONE",
    "GOAL_STAFF_LIST",
    "GOAL_STAFF_NEW",
    "GOAL_STAFF_AREA",
    "GOAL_STAFF_WHAT",
    "GOAL_STAFF_TOO_LONG",
    "GOAL_STAFF_STEP",
    "GOAL_STAFF_SENT",
    "GOAL_STAFF_EDIT",
    "GOAL_STAFF_WORDS",
    "GOAL_STAFF_ASK_WORDS",
    "GOAL_STAFF_EDITED",
    "GOAL_STAFF_GONE",
    "GOAL_STAFF_NOT_VISIBLE",
    "NOTICE_GOAL_DONE",
    "NOTICE_GOAL_ACCEPTED",
    "NOTICE_GOAL_CHANGED",
    # The self-sufficiency matrix, rated by the mentor (bot/flows/ssm.py, ssm_view.py).
    "SSM_WHO",
    "SSM_NO_MENTEES",
    "SSM_QUESTION",
    "SSM_ANCHOR",
    "SSM_HOW",
    "SSM_LEVEL_CHOICE",
    "SSM_RESUME",
    "SSM_PAUSED",
    "SSM_SAVED",
    "SSM_SKIPPED",
    "SSM_NOTHING_RATED",
    "SSM_NOT_YOUR_MENTEE",
    "SSM_TIMEPOINTS",
    "SSM_NONE",
    "SSM_HEADER",
    "SSM_LINE",
    "SSM_CHANGE",
    "SSM_NO_CHANGE",
    "SSM_NOT_RATED",
    "SSM_MEAN",
    "SSM_MEAN_CHANGE",
    "ARC_NONE",
    "ARC_HEADER",
    "ARC_LINE",
    # The end of mentoring, for staff (bot/flows/close_episode.py, closing.py).
    "CLOSE_USAGE",
    "CLOSE_ASK_REASON",
    "CLOSE_REASON_TOO_LONG",
    "CLOSE_OFFERED",
    "CLOSE_ENDED",
    "CLOSE_NOTICE_MENTOR",
    "CLOSING_MENTOR",
    "CLOSING_REASON_PLANNED",
    "CLOSING_MENTOR_SCORES",
    "CLOSING_MENTOR_NO_SCORES",
    "CLOSING_MENTOR_GOALS",
    "CLOSING_MENTOR_NO_GOALS",
    # Messages through the bot and staff hours (bot/flows/relay.py, relay_notes.py, hours.py).
    "RELAY_FROM_MENTEE",
    "RELAY_MENTEE_REPLIED",
    "RELAY_STAFF_SENT",
    "RELAY_USAGE",
    "HOURS_USAGE",
    "HOURS_NOW",
    "HOURS_SAVED",
    "HOURS_CLEARED",
    "HOURS_ASK_DAYS",
    "HOURS_ASK_FROM",
    "HOURS_ASK_TO",
    "HOURS_END_REASK",
    # Staff chat, smoothed, and the dashboard (bot/flows/staff_help.py, web_link.py).
    "STAFF_HELP_GROUPS",
    "STAFF_HELP_MORE",
    "STAFF_HINT",
    "STAFF_HINT_WEB",
    "WEB_LINK",
    "WEB_NOT_SET_UP",
    # WhatsApp (issue 17): /invite's line, /addmentee whatsapp, how a mentee is reached.
    "INVITE_BY_WHATSAPP",
    "ADDMENTEE_USAGE_WHATSAPP",
    "ADDMENTEE_NO_WHATSAPP",
    "ADDMENTEE_WHATSAPP_SENT",
    "CHANNEL_THEN",
}
MENTEE_FACING = sorted(
    name
    for name, value in vars(texts).items()
    if name.isupper() and isinstance(value, str) and name not in STAFF_FACING
)
# One-word labels and formats are too short for a reading score to mean anything.
TOO_SHORT_TO_SCORE = 6


class _Example(dict[str, object]):
    """Plausible values for any placeholder, so every template can be scored filled in."""

    def __missing__(self, key: str) -> object:
        return {"number": 3, "total": 10, "last": 5, "score": 42, "before": 38, "days": 14}.get(
            key, "Sam"
        )


def _filled(template: str) -> str:
    return template.format_map(
        _Example(text="Do you have a safe place to live?", when="Mon 2 Mar at 09:30")
    )


def test_there_are_texts_to_check() -> None:
    assert len(MENTEE_FACING) > 30


@pytest.mark.parametrize("name", MENTEE_FACING)
def test_mentee_text_is_easy_to_read(name: str) -> None:
    text = _filled(getattr(texts, name))
    if len(text.split()) >= TOO_SHORT_TO_SCORE:
        assert flesch_reading_ease(text) >= 70, text


@pytest.mark.parametrize("name", MENTEE_FACING)
def test_mentee_text_is_gsm7_and_fits_two_sms_segments(name: str) -> None:
    text = _filled(getattr(texts, name))
    assert is_gsm7(text), text
    assert len(text) <= 306, text
