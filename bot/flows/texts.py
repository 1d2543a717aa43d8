"""Every word mentorbot says, in one place, so it can be read and reviewed as prose.

Rules for mentee-facing text (held by tests/flows/test_texts.py): short, warm, plain English,
no blame and no jargon; a Flesch reading ease of 70 or more; GSM-7 safe (plain quotes, no emoji)
so an SMS is not cut to half its length. Staff-facing lines may be terser.
"""

from __future__ import annotations

CONSENT_VERSION = "2026-11"

CRISIS_LINES = (
    "If your life is at risk now, call 999.\n"
    "Samaritans: call 116 123, free, day or night.\n"
    "Shout: text SHOUT to 85258, free, day or night.\n"
    "NHS 111: call and choose the mental health option."
)

# Onboarding: what the service is, what is kept, who sees it, its limits, how to stop.
WELCOME = (
    "Hello {name}, and welcome. This is the mentoring service. "
    "Your mentor and this app can help you with your recovery, one step at a time."
)
WHAT_WE_KEEP = (
    "What we keep: your first name, how to reach you, and your answers to short check-ins. "
    "We use them to plan your mentoring with you."
)
WHO_SEES = (
    "Who sees it: your mentor and their supervisors. No one else. "
    "We keep it private. But if we think you or someone else is at serious risk of harm, "
    "your mentor must tell someone who can help."
)
HOW_TO_STOP = (
    "You can stop at any time. Send STOP for no more messages. "
    "Ask your mentor if you want to see or delete what we keep."
)
ASK_CONSENT = "Are you happy to go on?"
CONSENT_YES = "Yes, I agree"
CONSENT_NO = "No, thanks"
CONSENT_REASK = "Please tap Yes or No. Or type yes or no."
CONSENT_THANKS = (
    "Thank you. Let's start with some short questions. You can stop and come back at any time."
)
CONSENT_DECLINED = (
    "That's fine. We have not kept anything about you. "
    "If you change your mind, ask your mentor for a new link."
)

START_NEEDS_CODE = (
    "Hello. To join, you need a link or a code from your mentor. "
    "Please ask them for one. If you have a code, send: /start and then the code."
)
START_BAD_CODE = (
    "Sorry, that code does not work. It may be old or used already. "
    "Please ask your mentor for a new one."
)
ALREADY_JOINED = "You are already signed up. Good to see you."

# The questionnaires.
QUESTION = "{number} of {total}: {text}"
REASK = "I did not get that. Please tap an answer, or type its number, 1 to {last}."
UNKNOWN_COMMAND = "Sorry, I don't know that command."
PAUSED = "OK, we have stopped for now. Your answers are saved. Send /checkin to carry on."
NOTHING_TO_PAUSE = "OK."
RESUME = "Welcome back. Let's carry on where you left off."
ALL_DONE = "Thank you. That's all the questions. Well done."
STRONGEST = "Your strongest areas: {first} and {second}."
TO_WORK_ON = "Areas to work on: {first} and {second}."
WEEKLY_TOTAL = "Your score this week: {score} out of 60."
WEEKLY_TOTAL_BEFORE = "Your score this week: {score} out of 60. Your first check-in was {before}."
SELF_ESTEEM = "How you feel about yourself: {score} out of 50."
SELF_EFFICACY = "How sure you feel that you can cope: {score} out of 50."
PICTURE_BEFORE = "First check ({date})"
PICTURE_NOW = "Now"
PICTURE_ARC_TITLE = "Your recovery strengths"
PICTURE_WEEKLY_TITLE = "Your week"
PICTURE_CEST_TITLE = "How you see yourself"
NO_EPISODE = "You are not in mentoring right now. Please ask your mentor or the clinic."

# Global intents.
HELP = (
    "I can help you check in and see how you are doing.\n"
    "/checkin - answer a few short questions\n"
    "/cancel - stop for now\n"
    "STOP - no more messages"
)
MENU = "What would you like to do?"
MENU_CHECKIN = "Check in"
MENU_HELP = "Help"
STOPPED = (
    "OK. We will not send you any more messages. Your answers are saved. "
    "Send START if you want them again."
)
RESTARTED = "Welcome back. We will send you messages again."
NOT_STOPPED = "You are signed up for messages."
TRY_AGAIN_LATER = "Sorry, something went wrong on our side. Please try again in a few minutes."

# Staff-facing.
STAFF_HELP = (
    "Staff commands:\n"
    "/invite NAME - invite a new mentee (first name or nickname)\n"
    "/help - this list"
)
INVITE_NEEDS_NAME = "Please add the mentee's first name or a nickname: /invite Sam"
INVITE_NAME_TOO_LONG = "Please use a first name or nickname of up to 32 characters."
INVITE_CREATED = (
    "Invite for {name} (single use, valid for 14 days):\n{how}\n"
    "They will be asked to agree before anything is kept."
)
INVITE_LINK = "Telegram link: {link}"
INVITE_CODE = "Code: {code} (they send /start {code})"
NOTICE_JOINED = "{name} has joined and agreed to take part."
NOTICE_FINISHED = "{name} finished their {what}."
NOTICE_BLOCKED = (
    "{name} has blocked the bot on Telegram, so reminders cannot reach them there. "
    "Please check in with them another way."
)
TIMEPOINT_NAMES = {
    "baseline": "first full check (baseline)",
    "three_month": "3-month check",
    "exit": "end-of-mentoring check",
    "weekly": "weekly check-in",
}

# Meetings (shared by the booking flow and the scheduler's reminders).
MEETING_WHEN = "{day} at {time}"  # e.g. "Mon 2 Mar at 09:30"
MEETING_CONFIRM = "Confirm"
MEETING_CANT = "Can't make it"
MEETING_MOVE = "Ask for another time"
REMINDER_DAY_BEFORE = "Reminder: you are meeting {mentor} on {when}, at {place}."
REMINDER_HOURS_BEFORE = "See you soon: you are meeting {mentor} at {time} today, at {place}."
REMINDER_MENTOR_MORNING = "Today: meeting with {name} at {time}, {place} ({status})."
ASK_OUTCOME = "Did your meeting with {name} on {when} happen?"
OUTCOME_MET = "Met"
OUTCOME_NO_SHOW = "Didn't come"
OUTCOME_CANCELLED = "Cancelled"
MEETING_STATUS_NAMES = {
    "proposed": "not confirmed yet",
    "confirmed": "confirmed",
    "declined": "declined",
    "move_requested": "asked to move",
    "cancelled": "cancelled",
}

# The scheduler's prompts and nudges.
CHECKIN_PROMPT = "Hello. It's time for your weekly check-in. It takes about a minute."
ASSESSMENT_DUE = "Hello. It's time for a longer check-in about how things are going."
START_NOW = "Start now"
NUDGE_NO_MEETING = "{name} has had no meeting for {days} days. Book one with /meet {name}."
NUDGE_NO_CHECKIN = "{name} has not checked in for {days} days."
NUDGE_UNFINISHED = "{name} started a check-in {days} days ago and has not finished it."
