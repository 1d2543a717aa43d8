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
    "Send /mydata to see what we keep, or /forget to delete it. /privacy tells you more."
)
ASK_CONSENT = "Are you happy to go on?"
CONSENT_YES = "Yes, I agree"
CONSENT_NO = "No, thanks"
CONSENT_THANKS = (
    "Thank you. We will start with a check-in, so you and your mentor can see how things are."
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
QUESTION = "Question {number} of {total}: {text}"
QUESTION_PART = "Part {part} of {parts}, question {number} of {total}: {text}"
CHECKIN_PLAN = (
    "There are {total} questions in {parts} parts. It takes about {minutes} minutes. "
    "You can take a break between parts. You can skip a question or go back."
)
PART_DONE = "Well done. That is part {part} of {parts} done."
PART_NEXT = "Part {part} has {total} questions. Carry on now, or take a break?"
CARRY_ON = "Carry on"
TAKE_BREAK = "Take a break"
BREAK_TAKEN = (
    "OK, have a break. Your answers are saved. "
    "Send /checkin when you want to carry on. We will remind you tomorrow."
)
UNFINISHED_CHECKIN = (
    "Hello. You are part way through your check-in. "
    "Would you like to carry on? It only takes a few minutes."
)
BASED_ON = "Based on {given} of {asked} answers."
NOT_ENOUGH_ANSWERS = "No score for {what} this time, as a few questions were skipped."
THIS_WEEK = "this week"
# The question engine (bot/questions/asking.py): skip and back, and the re-ask.
SKIP_LABEL = "Skip"
BACK_LABEL = "Back"
SKIPPED = "Skipped"
NOTHING_BEFORE = "This is the first question, so there is no going back."
REASK_SORRY = "Sorry, I did not get that."
REASK_CHAT_FEW = "Please choose {options}, or type it."
REASK_CHAT_MANY = "Please choose an answer, or type its number, 1 to {last}."
REASK_SMS_FEW = "Please reply {options}."
REASK_SMS_MANY = "Please reply with a number, 1 to {last}."
REASK_SKIP_CHAT = "Or type skip to leave it."
REASK_SKIP_SMS = "Or reply SKIP to leave it."
OR = " or "
UNKNOWN_COMMAND = "Sorry, I don't know that command."
PAUSED = "OK, we have stopped for now. Your answers are saved. Send /checkin to carry on."
NOTHING_TO_PAUSE = "OK."
RESUME = "Welcome back. Let's carry on where you left off."
ALL_DONE = "Thank you. That's all the questions. Well done."
STRONGEST = "Your strongest areas: {first} and {second}."
TO_WORK_ON = "Areas to work on: {first} and {second}."
WEEKLY_TOTAL = "Your score this week: {score} out of 60."
WEEKLY_TOTAL_BEFORE = "Your score this week: {score} out of 60. Your first check-in was {before}."
SELF_ESTEEM = "{area}, how you feel about yourself: {score} {scale}."
SELF_EFFICACY = "{area}, how sure you feel that you can cope: {score} {scale}."
PICTURE_BEFORE = "First check ({date})"
PICTURE_NOW = "Now ({date})"
PICTURE_ARC_TITLE = "Your recovery strengths"
PICTURE_WEEKLY_TITLE = "Your weekly check-in"
PICTURE_CEST_TITLE = "How you see yourself"
NO_EPISODE = (
    "You are not in mentoring just now. You can still send /find to look for help. "
    "If you would like a mentor again, please ask the clinic."
)

# Global intents.
HELP = (
    "I can help you check in and see how you are doing.\n"
    "/checkin - answer a few short questions\n"
    "/meeting - your next meeting\n"
    "/find - find a service that can help\n"
    "/goals - your goals\n"
    "/msg - send a message to your mentor\n"
    "/settings - pick your check-in day\n"
    "/cancel - stop for now\n"
    "STOP - no more messages"
)
MENU = "What would you like to do?"
MENU_CHECKIN = "Check in"
MENU_MEETING = "My meeting"
MENU_HELP = "Help"
STOPPED = (
    "OK. We will not send you any more messages. Your answers are saved. "
    "Send START if you want them again."
)
RESTARTED = "Welcome back. We will send you messages again."
NOT_STOPPED = "You are signed up for messages."
TRY_AGAIN_LATER = "Sorry, something went wrong on our side. Please try again in a few minutes."

# Staff-facing.
STAFF_HELP = "Your commands:"
# One line per staff command, with an example; /help lists those the person's role may use.
STAFF_COMMAND_HELP = {
    "mentees": "/mentees - your mentees at a glance",
    "attention": "/attention - who needs you now, most urgent first",
    "ack": "/ack NAME - you are on a mentee's crisis alert (e.g. /ack Sam)",
    "mentee": "/mentee NAME - one mentee's record (e.g. /mentee Sam)",
    "plan": "/plan NAME - a mentee's plan and your rating (e.g. /plan Sam)",
    "invite": "/invite NAME - invite a new mentee (e.g. /invite Sam)",
    "addmentee": "/addmentee PHONE NAME - invite by text (e.g. /addmentee 07700900123 Sam)",
    "addphone": "/addphone NAME PHONE - add a mentee's number (e.g. /addphone Sam 07700900123)",
    "meet": "/meet NAME - book a meeting (e.g. /meet Sam)",
    "meetings": "/meetings - your meetings in the next two weeks",
    "msg": "/msg NAME TEXT - message a mentee through the bot (e.g. /msg Sam See you Tuesday)",
    "hours": "/hours DAYS FROM-TO - when you read messages (e.g. /hours Mon-Fri 09:00-17:00)",
    "goal": "/goal NAME [GOAL] - suggest or change a goal (e.g. /goal Sam Register with a GP)",
    "rate": "/rate NAME - self-sufficiency rating with a mentee (e.g. /rate Sam)",
    "note": "/note NAME TEXT - a short session note (e.g. /note Sam talked about housing)",
    "site": "/site NAME SITE - record a move of clinic (e.g. /site Sam camberwell)",
    "signpost": "/signpost NAME - send a mentee a service (e.g. /signpost Sam)",
    "signposts": "/signposts NAME - services sent and what the mentee said",
    "find": "/find WORDS - look up a service (e.g. /find debt)",
    "upcoming": "/upcoming NAME - what the bot will send a mentee",
    "failed": "/failed - messages that did not get through",
    "close": "/close NAME REASON - end mentoring early (e.g. /close Sam moved away)",
    "caseloads": "/caseloads - every mentor's caseload and supervision",
    "assign": "/assign MENTEE MENTOR - move a mentee to another mentor (e.g. /assign Sam Jo)",
    "supervision": "/supervision MENTOR - record a supervision today (e.g. /supervision Alex)",
    "staff": "/staff - list staff",
    "report": (
        "/report - outcomes before and after (e.g. /report site=hub, /report compare hub spokes)"
    ),
    "export": "/export - the data as CSV files (add 'identified' for names)",
    "audit": "/audit NAME - who looked at a mentee's record",
    "stale": "/stale - directory entries not checked for 12 months",
    "retire": "/retire NAME - stop showing a directory entry",
    "service": "/service add|edit ... - add or change a directory entry (send /service)",
    "privacy": "/privacy - what is kept and who sees it",
    "help": "/help - this list",
    "web": "/web - open the dashboard in your browser (a sign-in link for you alone)",
}
HELP_MORE = (
    "Also: /plan shows your plan. /concern lets you tell a supervisor if something is wrong. "
    "/privacy says what we keep."
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
NOTICE_BLOCKED_TEXTING = (
    "{name} has blocked the bot on Telegram. Their reminders will now go by text message."
)
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

# Meeting booking and answers.
# Mentee-facing: the invitation and what they see when they answer or ask.
MEETING_INVITE = "{mentor} would like to meet you on {when}, at {place}. Can you come?"
MEETING_INVITE_MOVED = (
    "{mentor} would like to move your meeting to {when}, at {place}. "
    "This is instead of {old_when}. Can you come?"
)
MEETING_THANKS = "Thank you. See you on {when}."
MEETING_DECLINED_OK = "That's OK. We will let {mentor} know you can't make it."
MEETING_MOVE_OK = "OK. {mentor} will get in touch with another time."
MEETING_ALREADY_TOLD = "You have already told us. Thank you."
MEETING_NOT_ON = "Sorry, this meeting is no longer on."
MEETING_NOT_YOURS = "Sorry, this is not a meeting you can change."
MEETING_CANCELLED_BY_MENTOR = (
    "Sorry, {mentor} has had to call off your meeting on {when}. They will be in touch."
)
MEETING_NEXT = "Your next meeting is with {mentor} on {when}, at {place}."
YOUR_MENTOR = "your mentor"  # when the mentor's account has gone
MEETING_NONE = "You have no meeting booked just now. Your mentor will set one up with you."
# Staff-facing: booking with /meet, managing with /meetings, and the notices about answers.
MEET_NO_MENTEES = "You have no mentees yet. Use /invite NAME first."
MEET_WHO = "Who is the meeting with?"
MEET_WHO_REASK = "Sorry, I did not get that. Please choose a name."
MEET_NO_MATCH = "None of your mentees is called {name}."
MEET_WHICH_DAY = "Meeting with {name}. Which day? Choose one, or type a date like 14/3."
MEET_DAY_PAST = "That day has gone by. Please choose today or a later day."
MEET_WHAT_TIME = "{day}: what time? Choose one, or type it like 9:30 or 14:00."
MEET_TIME_PAST = "That time has gone by. Please choose a later time."
MEET_WHERE = "Where? Choose a place, or Other to type one."
MEET_OTHER = "Other"
MEET_TYPE_PLACE = "Please type the place (up to 100 characters), or back to choose from the list."
MEET_PLACE_TOO_LONG = "That is a bit long. Please keep the place to 100 characters or fewer."
MEET_NOT_YOUR_MENTEE = "{name} is no longer one of your mentees, so I have not booked it."
MEET_BOOKED = "Booked: {name}, {when}, {place}. {name} has been asked to confirm."
MEET_BOOKED_REPLACES = "The earlier time ({old_when}) is cancelled."
MEET_BOOKED_OPTED_OUT = "{name} has turned off messages, so please tell them yourself."
NOTICE_MEETING_CONFIRMED = "{name} confirmed the meeting on {when}."
NOTICE_MEETING_DECLINED = "{name} can't make the meeting on {when}. Book another: /meet {name}"
NOTICE_MEETING_MOVE = "{name} asked to move the meeting on {when}. Book a new time: /meet {name}"
OUTCOME_NOTED = "Thanks, noted."
OUTCOME_CHANGED = "Thanks, changed to: {outcome}."
MEETINGS_NONE = "No meetings in the next 14 days. Book one with /meet NAME."
MEETINGS_ITEM = "{name}: {when}, {place} ({status})."
MEETING_CANCEL = "Cancel"
MEETING_MOVE_TO = "Move"
MEETING_CANCELLED_DONE = "Cancelled. {name} will be told."
MEETING_GONE = "That meeting is no longer on, so there is nothing to change."

# Weekly check-in settings.
ASK_CHECKIN_DAY = "Which day of the week suits you best for a short check-in?"
ASK_CHECKIN_TIME = "And what time of day?"
TIME_MORNING = "Morning (10:00)"
TIME_AFTERNOON = "Afternoon (14:00)"
TIME_EVENING = "Evening (18:00)"
SETTINGS_SAVED = "Thanks. We will remind you each {day} at {time}. Send /settings to change it."

# Staff views of what the scheduler will send and what went wrong.
UPCOMING_NEEDS_NAME = "Whose messages? Send /upcoming and a mentee's name, like /upcoming Sam"
NO_SUCH_MENTEE = "I can't find a mentee of yours called {name}."
UPCOMING_NONE = "Nothing is planned for {name}."
UPCOMING_HEADER = "Planned for {name}:"
UPCOMING_LINE = "{when} - {what}"
FAILED_NONE = "No failed or skipped messages in the last 7 days."
FAILED_HEADER = "Not delivered in the last 7 days:"
FAILED_LINE = "{name}, {when}: {status} ({reason}) - {what}"

# Crisis: a message that matched the crisis list (config/crisis.yaml).
CRISIS_REPLY_LIFE = "If you or someone near you is in danger now, please call 999 straight away."
CRISIS_REPLY = "I'm so sorry things are this hard. You don't have to face it alone."
CRISIS_MENTOR_TOLD = "I have let your mentor know, so they can get in touch with you."
CRISIS_FLOW_KEPT = "Your answers so far are saved. Send /checkin when you want to carry on."
CRISIS_ALERT = (
    "URGENT: {name} sent a message that may mean they are at risk ({what}). "
    "Please contact them now, or follow the safety procedure. Say so below when you are on it."
)
CRISIS_ALERT_ESCALATED = (
    "URGENT, not picked up after {minutes} minutes: {name} may be at risk ({what}). "
    "Please act now, and say so below."
)
CRISIS_ACK = "I'm on it"
CRISIS_ACKED = "Thank you. It is noted that you are on it."
CRISIS_ALREADY_ACKED = "{name} is already on it. Thank you."
CRISIS_CATEGORY_NAMES = {
    "intent": "said they mean to end their life",
    "method": "named a way to end their life",
    "place": "at or going to a place to end their life",
    "passive_wish": "wishing to be dead",
    "goodbye": "saying goodbye or giving things away",
    "self_harm": "self-harm",
    "harm_from_others": "being hurt or threatened by someone",
    "harm_to_others": "said they mean to hurt someone else",
    "overdose": "overdose",
    "cant_go_on": "feeling they can't go on",
    # Categories before the crisis rules of issue 15, for alerts raised before then.
    "suicide": "suicide",
    "violence_abuse": "violence or abuse",
}

# Signposting: finding help in the directory (/find), services sent by staff (/signpost),
# the one-week question about them, and keeping the directory trustworthy (/stale, /retire).
# Mentee-facing.
MENU_FIND = "Find help"
FIND_WHICH = "What kind of help are you looking for? Choose one, or type a word like housing."
FIND_NOT_FOUND = "Sorry, I could not find that. Here are the kinds of help I know about."
FIND_EMPTY = (
    'There is nothing listed under "{category}" yet. Your mentor can help you with this. '
    "Here are the other kinds of help."
)
FIND_PAGE = "{category} ({first} to {last} of {total}):"
FIND_PAGE_LAST_ONE = "{category} ({last} of {total}):"
FIND_MORE = "More"
ENTRY_CALL = "Call {phone}"
ENTRY_TEXT_WORD = "Text {word} to {number}"
ENTRY_TEXT = "Text {number}"
SIGNPOST_INTRO = "{mentor} thought this might help:"
FOLLOWUP_ASK = "Last week {mentor} sent you details of {service}. Did you get in touch with them?"
FOLLOWUP_HELPED = "Yes, it helped"
FOLLOWUP_NOT_HELPFUL = "Yes, not helpful"
FOLLOWUP_NOT_YET = "Not yet"
FOLLOWUP_DONT_NEED = "Don't need it"
FOLLOWUP_THANKS_HELPED = "That's good to hear. Thank you for letting us know."
FOLLOWUP_THANKS_NOT_HELPFUL = (
    "Thank you for telling us. Your mentor can help you find something that suits you better."
)
FOLLOWUP_THANKS_NOT_YET = "That's OK. Here are the details again, for when you are ready."
FOLLOWUP_THANKS_DONT_NEED = "OK. Thank you for letting us know."
# Staff-facing.
SIGNPOST_WHO = "Who would you like to send a service to?"
SIGNPOST_WHICH_KIND = (
    "What kind of help for {name}? Choose one, or type a word like debt or a service's name."
)
SIGNPOST_EMPTY = 'Nothing is listed under "{category}" yet. Please pick another kind of help.'
SIGNPOST_WHICH_SERVICE = "{category} for {name}, nearest first. Which one?"
SIGNPOST_GONE = "That service has just been retired, so it was not sent. Please pick another."
SIGNPOST_NOT_YOUR_MENTEE = "{name} is no longer one of your mentees, so nothing was sent."
SIGNPOST_SENT = (
    "Sent {service} to {name}. In a week I will ask {name} if they got in touch: "
    "see /signposts {name}"
)
SIGNPOSTS_NEEDS_NAME = "Whose? Send /signposts and a mentee's name, like /signposts Sam"
SIGNPOSTS_NONE = "Nothing has been sent to {name} yet. Send a service with /signpost {name}"
SIGNPOSTS_HEADER = "Services sent to {name}:"
SIGNPOSTS_LINE = "{day} - {service} (from {sender}): {answer}"
SIGNPOSTS_WILL_ASK = "will be asked {day}"
SIGNPOSTS_NO_ANSWER = "asked, no answer yet"
SIGNPOSTS_SENDER_GONE = "a former colleague"
SIGNPOST_ANSWER_NAMES = {
    "yes_helped": "yes, it helped",
    "yes_not_helpful": "yes, not helpful",
    "not_yet": "not yet",
    "dont_need": "doesn't need it",
}
STALE_NONE = "Every entry in the directory was checked in the last 12 months."
STALE_HEADER = "Not checked for over 12 months ({count}):"
STALE_LINE = "{name} ({category}) - last checked {verified}"
STALE_FOOTER = "Check them and import the updated file, or stop showing one with /retire NAME."
RETIRE_NEEDS_NAME = "Which entry? Send /retire and its name, like /retire FRANK"
RETIRE_NOT_FOUND = "No entry in use is called {name}."
RETIRE_WHICH = "More than one entry matches {name}: {names}. Send /retire and the full name."
RETIRE_DONE = (
    "Retired: {name}. It is no longer shown to anyone. An import that lists it brings it back."
)

# Text-message wording: phones are often shared, so texts never name the clinic, drugs or
# treatment. DETAILS by reply gives the full wording (the next meeting, with its place).
SMS_MEETING_INVITE = (
    "{mentor} would like to meet you on {when}. Can you come? Text DETAILS for where."
)
SMS_REMINDER_DAY_BEFORE = "Reminder: meeting with {mentor} on {when} at the usual place."
SMS_REMINDER_HOURS_BEFORE = (
    "See you soon: meeting with {mentor} at {time} today at the usual place."
)

# Adding a mentee who has no smartphone (staff: /addmentee).
ADDMENTEE_USAGE = (
    "Send /addmentee, their mobile number and first name, like /addmentee 07700 900123 Sam"
)
ADDMENTEE_BAD_PHONE = "That does not look like a UK mobile number ({reason}). Please check it."
ADDMENTEE_TAKEN = "That number already belongs to someone using the service."
ADDMENTEE_NO_SMS = "Text messages are not set up for this service, so I cannot invite by text."
ADDMENTEE_SENT = (
    "Invitation texted to {name}. They join by replying JOIN {code}. "
    "Nothing else is sent until they agree."
)
SMS_INVITE = (
    "Hello {name}, this is the mentoring service. {mentor} has invited you to join. "
    "Text JOIN {code} to find out more. Ignore this if it is not for you."
)

# A phone number for texts, beside Telegram.
PHONE_ASK = "If we can't reach you here, we can text you instead. Choose Share my number below."
PHONE_ALREADY_TEXT = "We already text you on this number."
PHONE_NOT_UK = "Sorry, we can only text phones with a UK number."
PHONE_TAKEN = "That number is already used by someone else here."
PHONE_SAVED = "Thanks. If we can't reach you here, we will text you."
PHONE_CONFIRM_SMS = (
    "Hello, this is the mentoring service. {mentor} added this number for you. "
    "Reply YES to get texts from us."
)
PHONE_CONFIRM_REASK = "Please reply YES if you want texts from us on this number."
PHONE_CONFIRMED = "Thanks. We will text you on this number if we can't reach you another way."
ADDPHONE_USAGE = (
    "Send /addphone, the mentee's name and their mobile number, like /addphone Sam 07700 900123"
)
ADDPHONE_SENT = "I have texted that number. It is used once {name} replies YES."
PHONE_SHARE_BUTTON = "Share my number"

# Outcomes report (supervisors)
REPORT_TITLE = "Outcomes: baseline and follow-up"
REPORT_USAGE = (
    "Use /report, or narrow it down: /report site=hub mentor=Alex from=2026-01-01 "
    "to=2026-07-01 (any of these, dates as YYYY-MM-DD)."
)
REPORT_NO_MENTOR = "There is no mentor called {name}."
EXPORT_USAGE = "Use /export (no names or numbers), or /export identified (names and numbers)."
EXPORT_PSEUDONYMOUS = "The data as CSV files. People are P1, P2 ...: no names or numbers."
EXPORT_IDENTIFIED = (
    "The data as CSV files, WITH names and phone numbers. Keep it safe and delete it when done. "
    "This export is logged."
)
REPORT_PICTURE = "Each line is one mentee, baseline to follow-up; the thick line is the mean."
REPORT_MORE = "Each ARC area, and CSV or JSON: mentorbot report on the command line."

# The Telegram command menu (one short line each; only a person's own commands are listed).
COMMAND_DESCRIPTIONS = {
    "checkin": "Answer a few questions",
    "goals": "Your goals",
    "plan": "Your plan",
    "meeting": "Your next meeting",
    "msg": "Send a message",
    "find": "Find a service",
    "settings": "Check-in day and time",
    "phone": "Get texts too",
    "mentees": "Your mentees",
    "attention": "Who needs you now",
    "ack": "You are on a crisis alert",
    "mentee": "One mentee's record",
    "invite": "Invite a mentee",
    "addmentee": "Invite by text message",
    "meet": "Book a meeting",
    "meetings": "Your meetings",
    "hours": "When you read messages",
    "goal": "Set a goal with a mentee",
    "rate": "Self-sufficiency rating",
    "signpost": "Send a mentee a service",
    "note": "Add a session note",
    "upcoming": "What will be sent",
    "failed": "Messages not delivered",
    "caseloads": "All caseloads",
    "report": "Outcomes report",
    "export": "Export the data",
    "help": "Help and crisis lines",
    "cancel": "Stop what you are doing",
}

# Caseload views for staff (/mentees, /attention)
CASELOAD_LINE = "{name} ({site}, week {weeks}): last check-in {last}; next meeting {meeting}"
CASELOAD_NEVER = "none yet"
CASELOAD_NONE = "not booked"
ATTENTION_HEADER = "Who needs you now, most urgent first:"
ATTENTION_NONE = "Nobody needs you urgently right now. /mentees shows everyone."
FLAG_SAFETY = "crisis alert this week"
FLAG_SAFETY_OPEN = "crisis alert NOT picked up"
FLAG_UNCONFIRMED = "meeting {when} not confirmed"
FLAG_DROP = "{what} down {points} points"
FLAG_NO_CHECKIN = "no check-in for {days} days"
FLAG_NO_MEETING = "no meeting for {days} days"
FLAG_UNFINISHED = "check-in unfinished for {days} days"
FLAG_FAILED = "{count} message(s) not delivered"
MEASURE_NAMES = {
    "arc": "recovery capital (ARC)",
    "weekly": "weekly check-in",
}  # a one-area scale (CEST) is named by the glossary (bot/instruments/glossary.py)

# Staff records (/note, /site, /assign, /supervision, /staff, /caseloads, /audit)
NOTE_USAGE = "Add the mentee's name and the note: /note Sam talked about housing, went well"
NOTE_TOO_LONG = "Notes are kept short: up to {limit} characters (this one is {length})."
NOTE_SAVED = "Note saved for {name}."
SITE_USAGE = "Add the mentee's name and the site: /site Sam SITE. Sites: {sites}"
SITE_SAME = "{name} is already at {site}."
SITE_MOVED = "{name} now goes to {site}. The move is recorded with today's date."
ASSIGN_USAGE = "Add the mentee's and the mentor's names: /assign Sam Alex"
ASSIGN_SAME = "{name} is already with that mentor."
ASSIGN_DONE = "{name} is now mentored by {mentor}. Both have been told."
ASSIGN_TO_NEW = "{name} is now one of your mentees. /mentees shows your list."
ASSIGN_TO_OLD = "{name} is now mentored by {mentor}. Thank you for your work with them."
ASSIGN_TO_MENTEE = "Your mentor is now {mentor}. They will be in touch soon."
SUPERVISION_USAGE = "Add the mentor's name: /supervision Alex"
SUPERVISION_SAVED = "Supervision with {name} recorded for today."
STAFF_LINE = "{name} ({role})"
CASELOADS_HEADER = "Mentor: mentees, meetings this month (held/missed), flagged, last supervision"
CASELOADS_LINE = (
    "{name}: {mentees} mentees, {held}/{missed} meetings, {flags} flagged, supervised {supervised}"
)
CASELOADS_OVERDUE = "(supervision due)"
AUDIT_HEADER = "Who looked at {name}'s record:"
AUDIT_SOMEONE = "former staff"

# Privacy and concerns (/privacy, /concern)
PRIVACY_YOUR_DATA = (
    "Your data is yours. Send /mydata to see what we keep. Send /forget to delete it and stop."
)
CONCERN_ASK = (
    "You can tell a supervisor if something is wrong. Your mentor will not be told. "
    "What is it about?"
)
CONCERN_SOMETHING_WRONG = "Something is wrong"
CONCERN_NEW_MENTOR = "I want a new mentor"
CONCERN_ASK_WORDS = "Please tell us in a few words what is wrong. Only a supervisor will read it."
CONCERN_TOO_LONG = "Please keep it short: 200 letters or fewer. Yours has {length}."
CONCERN_SENT = (
    "Thank you for telling us. A supervisor will get in touch within 2 working days. "
    "Your mentor has not been told."
)
CONCERN_NOBODY = (
    "Sorry, no supervisor can get this right now. Please call the clinic and ask for the "
    "mentoring lead."
)
CONCERN_NO_MENTOR = "no mentor"
CONCERN_ALERT = (
    "Concern from {name} (mentor: {mentor}): {words}\nPlease contact them within 2 working days."
)
CONCERN_ALERT_NEW_MENTOR = (
    "{name} (mentor: {mentor}) asked for a new mentor.\nPlease contact them within 2 working days."
)

# Your data (/mydata, /forget)
MYDATA_NO_NUMBER = "none"
MYDATA_FILE = "Here is all of it in one file."
MYDATA_SMS_FULL_COPY = "For a full copy, ask your mentor. Send FORGET to delete it all."
FORGET_ASK = (
    "This deletes everything we keep about you: your answers, goals and meetings. "
    "Your mentoring will end, and your mentor will be told. Are you sure?"
)
FORGET_YES = "Yes, delete it"
FORGET_NO = "No, keep it"
FORGET_LAST_CHECK = "Last check. This cannot be undone. To delete it all, send the word DELETE."
FORGET_KEPT = "OK. Nothing has been deleted."
FORGET_DONE = (
    "Done. We have deleted what we kept about you, and you will get no more messages. "
    "Take care. If you need help, these lines are free:"
)
FORGET_MENTOR_NOTICE = (
    "A mentee of yours (started {started}, {site}) asked us to delete their data. "
    "It has been deleted and their mentoring has ended."
)
# The mentoring plan: priorities after a full check (bot/flows/priorities.py) and /plan
# (bot/flows/plan.py). Mentee-facing unless marked.
PRIORITIES_ASK = (
    "Which area of your life matters most to you right now? You can pick up to three, "
    "one at a time."
)
PRIORITIES_NEXT = "Thanks: {area}. Is there another one? Pick it, or choose Done."
PRIORITIES_ALREADY = "You have picked {area} already. Pick another one, or choose Done."
PRIORITIES_PICK_ONE = "Please pick one area first. Choose it, or type its name or number."
PRIORITIES_SAVED = "Thank you. What matters most to you now: {areas}. Your mentor will see this."
PRIORITIES_DONE = "Done"
PRIORITY_STRONG = "{area} (strongest)"
PRIORITY_HARD = "{area} (to work on)"
PLAN_HEADER = "Your plan"
PLAN_PRIORITIES = "What matters most: {areas}."
PLAN_GOALS = "Goals:"
PLAN_GOAL = "{number}. {title}"
PLAN_GOAL_STATUS = "{number}. {title} ({status})"
PLAN_NEXT_STEP = "Next step: {step}"
PLAN_STEPS_DONE = "Steps done: {done} of {total}"
PLAN_UPDATES = "Updates: {count}, last: {last}"
PLAN_MORE_GOALS = "And {count} more. Send /goals to see them all."
PLAN_MEETING = "Next meeting: {when} with {mentor}."
PLAN_MEETING_PLACE = "Next meeting: {when} with {mentor}, at {place}."
PLAN_NO_MEETING = "No meeting booked yet."
PLAN_EMPTY = (
    "Your plan is empty for now. You can set a goal with /goals, "
    "or talk it over with your mentor when you next meet."
)
PLAN_CARD_PRIORITIES = "What matters most"
PLAN_CARD_GOALS = "Goals"
PLAN_CARD_NO_GOALS = "No goals yet"
PLAN_STATUS_NAMES = {"proposed": "suggested", "paused": "on hold", "active": "active"}
PLAN_ANSWER_NAMES = {
    "done": "done",
    "some": "some of it",
    "not_yet": "not yet",
    "change": "wants a change",
}
# Staff-facing.
NOTICE_PRIORITIES = "{name} chose what matters most to them now: {areas}."
PLAN_NEEDS_NAME = "Whose plan? Send /plan and a mentee's name, like /plan Sam"
PLAN_HEADER_STAFF = "Plan for {name}"
PLAN_EMPTY_STAFF = "{name} has no priorities or goals yet."
# Goal reminders from the scheduler and the answers to them (bot/flows/goal_reminders.py,
# bot/flows/goal_answers.py). {goal} is the goal in the mentee's own words.
GOAL_REMINDER = 'How is "{goal}" going?'
GOAL_ANSWER_DONE = "Done"
GOAL_ANSWER_SOME = "Some progress"
GOAL_ANSWER_NOT_YET = "Not yet"
GOAL_ANSWER_CHANGE = "Change it"
GOAL_THANKS_DONE = "Well done! You set out to do it, and you did it. That is a big step."
GOAL_THANKS_SOME = "Good going. Every small step counts."
GOAL_THANKS_NOT_YET = "That's OK. Thanks for telling me. I will ask again next time."
GOAL_TALK_IT_OVER = (
    "This one has been hard for a while, and that's OK. It may help to talk it over with {mentor}."
)
GOAL_LET_THEM_KNOW = "I have let them know."
GOAL_CHANGE_HOW = "That's fine, goals can change. Choose My goals to change it or pick a new one."
GOAL_CHANGE_BUTTON = "My goals"
GOAL_TOLD_MENTOR = "I have told {mentor}."
GOAL_ANSWERED_ALREADY = "Thanks, you have answered this one already."
GOAL_ALREADY_DONE = "You have done this goal already. Well done!"
GOAL_PAUSED_NOW = "This goal is on hold just now, so there is nothing to answer."
GOAL_NOT_ON_PLAN = "This goal is not on your plan just now, so there is nothing to answer."
# Staff-facing: what the mentor is told.
GOAL_NOTICE_DONE = "{name} has done their goal: {goal}"
GOAL_NOTICE_NOT_YET = (
    '{name} has said "not yet" three times in a row about their goal: {goal}. '
    "A chat about it may help."
)
GOAL_NOTICE_CHANGE = "{name} would like to change their goal: {goal}"
# Goals: the mentee's own (/goals) and those a mentor suggests or edits (/goal).
# Mentee-facing.
MENU_GOALS = "My goals"
GOALS_NONE = "You have no goals yet. Let's set one, one small step at a time."
GOALS_HEADER = "Your goals:"
GOALS_LINE = "{number}. {title} ({status})"
GOALS_NEXT_STEP = "   Next step: {step}"
GOALS_NEXT_SHORT = ", next: {step}"
GOALS_PICK = "Choose a goal to update it, or add a new one."
GOALS_PICK_SMS = "Your goals. Pick one to update it, or add a new one."
GOAL_ADD = "Add a goal"
GOAL_STATUS_NAMES = {
    "proposed": "new, from your mentor",
    "active": "working on it",
    "done": "done",
    "paused": "on hold",
    "dropped": "dropped",
}
GOAL_ASK_AREA = "Which part of your life is this goal about? Choose one, or type its number."
GOAL_ASK_WHAT = "What is your goal? Put it in your own words, in a line or two."
GOAL_WHAT_REASK = "Please type your goal in a few words."
GOAL_TOO_LONG = (
    "Thank you. That is a bit long for me to keep: it has {count} letters and spaces. "
    "Could you make it shorter? 200 is the most."
)
GOAL_ASK_STEP = "What is one small first step you could take? Type it, or choose Skip."
GOAL_STEP_REASK = "Please type a small step in a few words."
GOAL_SKIP = "Skip"
GOAL_ASK_WHEN = (
    "By when would you like to take this first step? Choose one, or type a date like 14/3."
)
GOAL_IN_A_WEEK = "In a week"
GOAL_IN_A_MONTH = "In a month"
GOAL_NO_DATE = "No date"
GOAL_DATE_PAST = "That day has gone by. Please pick today or a day after it."
GOAL_SAVED = "Your goal is saved: {title}"
GOAL_SAVED_BY = "You aim to reach it by {day}."
GOAL_ASK_RHYTHM = "Would you like me to remind you about this goal?"
GOAL_RHYTHM_NONE = "No reminders"
GOAL_RHYTHM_DAILY = "Every day"
GOAL_RHYTHM_WEEKLY = "Once a week"
GOAL_RHYTHM_ONCE = "Once, on a day I pick"
GOAL_ASK_WEEKDAY = "Which day of the week?"
GOAL_ASK_REMIND_DATE = "Which day? Choose one, or type a date like 14/3."
GOAL_TOMORROW = "Tomorrow"
GOAL_ASK_REMIND_TIME = "What time of day?"
GOAL_TIME_REASK = "Please choose a time. Or type one from 08:00 to 20:59, like 7pm or morning."
GOAL_TIME_PAST = "That time has gone by today. Please pick a later time."
GOAL_REMIND_NONE_SAVED = "OK, no reminders. Send /goals at any time to see or change your goals."
GOAL_REMIND_DAILY_SAVED = "Done. I will remind you every day at {time}. Send /goals to change it."
GOAL_REMIND_WEEKLY_SAVED = (
    "Done. I will remind you each {day} at {time}. Send /goals to change it."
)
GOAL_REMIND_ONCE_SAVED = "Done. I will remind you on {day} at {time}. Send /goals to change it."
GOAL_WHAT_NOW = "{title}\nWhat would you like to do?"
GOAL_SOME = "Some progress"
GOAL_DONE = "Done"
GOAL_PAUSE = "Pause"
GOAL_RESTART = "Start again"
GOAL_DROP = "Drop"
GOAL_ADD_STEP = "Add a step"
GOAL_CHANGE_REMINDER = "Change reminder"
GOAL_SOME_THANKS = "Good for you. Every step counts."
GOAL_DONE_THANKS = "Well done, you did it! That is a real step forward. Your mentor will be glad."
GOAL_PAUSED = "OK, this goal is on hold. No reminders for it until you start it again."
GOAL_RESTARTED = "Good. This goal is back on."
GOAL_DROPPED = "OK, I have taken this goal off your list. Plans change, and that is fine."
GOAL_ASK_NEW_STEP = "What is the next small step? Type it in a few words."
GOAL_STEP_ADDED = "Added. Your next step: {step}"
GOAL_GONE = "This goal is not on your list any more."
GOAL_PROPOSED = "{mentor} suggested a goal for you, about {area}: {title}\nIs it right for you?"
GOAL_PROPOSED_SMS = "{mentor} suggested a goal for you: {title}\nIs it right for you?"
GOAL_REWORDED_BY_MENTOR = "{mentor} changed the words of your goal to: {title}\nIs that OK?"
GOAL_ACCEPT = "Accept"
GOAL_CHANGE_IT = "Change it"
GOAL_ACCEPTED = "Great. It is on your list now."
GOAL_ALREADY_ON = "This goal is on your list. Thank you."
GOAL_ASK_OWN_WORDS = "How would you put it? Type the goal in your own words."
GOAL_CHANGED = "Thanks. Your goal is now: {title}"
GOAL_PAUSED_BY_MENTOR = "{mentor} has put one of your goals on hold: {title}"
GOAL_RESTARTED_BY_MENTOR = "{mentor} has started one of your goals again: {title}"
GOAL_DROPPED_BY_MENTOR = (
    "{mentor} has taken this goal off your list: {title}\n"
    "Talk to them if that does not seem right."
)
# Staff-facing.
GOAL_STAFF_NO_MENTEES = "You have no mentees yet. Use /invite NAME first."
GOAL_STAFF_WHO = "Whose goal? Choose a mentee."
GOAL_STAFF_NONE = "{name} has no goals yet."
GOAL_STAFF_LIST = "Goals for {name}. Choose one to edit it, or set a new one."
GOAL_STAFF_NEW = "Set a new goal"
GOAL_STAFF_AREA = "Which area is the goal for {name} about?"
GOAL_STAFF_WHAT = "Type the goal for {name}, in words they would use (up to 200 characters)."
GOAL_STAFF_TOO_LONG = "That goal has {count} characters; please keep it to 200 or fewer."
GOAL_STAFF_STEP = "A first small step? Type it, or choose Skip."
GOAL_STAFF_SENT = (
    "Suggested to {name}: {title}. They can accept it or put it in their own words; "
    "you will be told which."
)
GOAL_STAFF_EDIT = "{title} ({status}). What would you like to change?"
GOAL_STAFF_WORDS = "Change the words"
GOAL_STAFF_ASK_WORDS = "Type the new words (up to 200 characters)."
GOAL_STAFF_EDITED = "Changed. {name} has been told."
GOAL_STAFF_GONE = "That goal is no longer live, so nothing was changed."
GOAL_STAFF_NOT_VISIBLE = "{name} is no longer one of your mentees, so nothing was changed."
NOTICE_GOAL_DONE = "{name} has completed a goal: {title}"
NOTICE_GOAL_ACCEPTED = "{name} accepted the goal: {title}"
NOTICE_GOAL_CHANGED = "{name} put the goal in their own words: {title}"
# Self-sufficiency matrix, rated by the mentor with the mentee (/rate; bot/flows/ssm.py).
# Staff-facing. The level names and anchor lines are data: config/ssm.yaml.
SSM_WHO = "Whose self-sufficiency would you like to rate?"
SSM_NO_MENTEES = "You have no mentees to rate yet. Use /invite NAME first."
SSM_QUESTION = "{name}, {number} of {total}: {domain}\n{anchors}"
SSM_ANCHOR = "{level} {level_name}: {anchor}"
SSM_HOW = "Choose a level or type 1 to 5. Skip if you did not talk about it."
SSM_LEVEL_CHOICE = "{level} {level_name}"
SSM_RESUME = "Carrying on with {name}: {done} of {total} areas done."
SSM_PAUSED = "Paused. Your ratings so far for {name} are kept. Send /rate {name} to carry on."
SSM_SAVED = "Saved: {name}'s self-sufficiency rating ({what})."
SSM_SKIPPED = "Not rated (skipped, nothing stored): {domains}."
SSM_NOTHING_RATED = "Every area was skipped, so nothing was saved for {name}."
SSM_NOT_YOUR_MENTEE = "{name} is no longer one of your mentees, so nothing was saved."
SSM_TIMEPOINTS = {
    "baseline": "baseline",
    "three_month": "review",
    "exit": "end of mentoring",
    "weekly": "review",
}
# What the mentor sees after rating, and in the mentee's plan: the matrix beside the ARC.
SSM_NONE = "Self-sufficiency: {name} has not been rated yet. Rate with /rate {name}"
SSM_HEADER = "Self-sufficiency, rated with {name} on {when} ({what}):"
SSM_LINE = "{domain}: {level} {level_name}"
SSM_CHANGE = " (first {first}, {change})"
SSM_NO_CHANGE = "no change"
SSM_NOT_RATED = "{domain}: not rated this time"
SSM_MEAN = "Average: {mean:.1f} of 5"
SSM_MEAN_CHANGE = "Average: {mean:.1f} of 5 (first {first:.1f})"
ARC_NONE = "ARC: {name} has not finished a full check yet."
ARC_HEADER = "ARC, {name}'s own answers on {when}: total {total} of {most}"
ARC_LINE = "{domain}: {score} of {most}"
# The end of mentoring: /close, the exit check offer, the closing summaries (bot/flows/closing.py,
# close_episode.py). Mentee-facing first.
CLOSE_OFFER = (
    "Hello. Your mentoring is coming to an end. Before it does, would you do one last "
    "check-in? It shows you how far you have come."
)
CLOSING_THANKS = (
    "Your time in mentoring has come to an end. Thank you for all you have put in. "
    "You can be proud of it."
)
CLOSING_COMPARED = "Your first full check was on {first}. Your last one was on {last}."
CLOSING_ARC = "Your recovery strengths went from {before} at the start to {after} now, out of 50."
CLOSING_ESTEEM = "{area}, how you feel about yourself, went from {before} to {after}, out of 50."
CLOSING_EFFICACY = (
    "{area}, how sure you feel that you can cope, went from {before} to {after}, out of 50."
)
CLOSING_GOALS = "Goals you reached ({count}):"
CLOSING_SUPPORT = (
    "Where to find help next: I am still here for that. Send /find and a word, like "
    "/find housing. Or text FIND HOUSING. The clinic and your GP can help too."
)
CLOSING_SEE_PICTURE = "See my picture"
PICTURE_START = "Start ({date})"
PICTURE_END = "End ({date})"
SUMMARY_NOT_YET = "You will get a summary of how far you have come when your mentoring ends."
ENDED_MENU = (
    "Your mentoring has ended, but I am still here to help you find services. "
    "What would you like to do?"
)
MENU_SUMMARY = "My summary"
# Texts: short, and no word about recovery or treatment on a phone that may be shared.
SMS_CLOSING = "Your mentoring has come to an end. Well done for all you put in."
SMS_CLOSING_SCORES = (
    "Your scores out of 50, then and now: strengths {arc_before} to {arc_after}, "
    "{esteem_name} {esteem_before} to {esteem_after}, "
    "{efficacy_name} {efficacy_before} to {efficacy_after}."
)
SMS_CLOSING_GOALS = "Goals you reached: {count}."
SMS_CLOSING_SUPPORT = (
    "We are still here if you need help. Text FIND and a word, like FIND HOUSING. "
    "If your life is at risk, call 999. Samaritans: call 116 123, free, day or night."
)
# Staff-facing.
CLOSE_USAGE = "Send /close, the mentee's name and the reason, like /close Sam moved away"
CLOSE_ASK_REASON = (
    "Why is {name}'s mentoring ending? Please type a short reason (up to 200 characters), "
    "or /cancel."
)
CLOSE_REASON_TOO_LONG = "That reason is too long. Please keep it to 200 characters or fewer."
CLOSE_OFFERED = (
    "Done. {name} has been offered the end-of-mentoring check. Mentoring ends when they "
    "finish it, or on {day} if they do not. You will both get a summary then."
)
CLOSE_ENDED = "Done. {name}'s mentoring has ended. You will both get a summary."
CLOSE_NOTICE_MENTOR = "{closer} has closed {name}'s mentoring. Reason: {reason}"
CLOSING_MENTOR = "{name}'s mentoring has ended. Reason: {reason}"
CLOSING_REASON_PLANNED = "reached the planned end"
CLOSING_MENTOR_SCORES = (
    "First full check {first}, {what} {last}:\n"
    "ARC total {arc_before} -> {arc_after} (of 50)\n"
    "{esteem_name} {esteem_before} -> {esteem_after} (of 50)\n"
    "{efficacy_name} {efficacy_before} -> {efficacy_after} (of 50)"
)
CLOSING_MENTOR_NO_SCORES = "No before and after scores: {name} did not finish two full checks."
CLOSING_MENTOR_GOALS = "Goals done ({count}): {titles}"
CLOSING_MENTOR_NO_GOALS = "Goals done: none recorded."

# One mentee's record for staff (/mentee NAME)
MENTEE_NEEDS_NAME = "Add the mentee's name: /mentee Sam"
MENTEE_NOT_ACTIVE = "{name} is not in mentoring just now."
MENTEE_PROFILE = (
    "{name}: {site}, started {started} (week {weeks}), planned end {ends}. Reached by {channels}."
)
MENTEE_MOVE = "Moved {day}: {old} to {new}"
MENTEE_FLAGS = "Needs you: {flags}"
MENTEE_NO_SCORES = "No full check yet."
MENTEE_SCORES_FIRST = (
    "First full check ({day}): ARC {arc}/50 (strengths {strengths}, threats {threats}), "
    "{esteem_name} {esteem}/50, {efficacy_name} {efficacy}/50"
)
MENTEE_SCORES_LATEST = (
    "Latest full check ({day}): ARC {arc}/50 (strengths {strengths}, threats {threats}), "
    "{esteem_name} {esteem}/50, {efficacy_name} {efficacy}/50"
)
MENTEE_PRIORITIES = "Priorities: {areas}"
MENTEE_GOAL = "Goal: {title} ({status}, {updates} updates; next step: {step})"
MENTEE_GOALS_DONE = "Goals achieved: {count}"
MENTEE_MEETINGS = "Meetings: {met} held, {missed} missed. Next: {next}"
MENTEE_DELIVERY = "Messages not delivered this week: {count}"
MENTEE_NOTES = "Recent notes:"
MENTEE_NOTE = "{day}: {text}"

# Directory entries from the chat (supervisors)
SERVICE_USAGE = (
    "To add: /service add name=...; category=...; description=...; area=...; phone=...; "
    "source=https://... (also text, text_keyword, website, hours, cost).\n"
    "To change: /service edit NAME; phone=...; hours=...\n"
    "Entries are checked by the same rules as an import."
)
SERVICE_PROBLEMS = "Nothing was changed: {problems}."
SERVICE_EXISTS = "There is already an entry called {name}. Use /service edit {name}; ..."
SERVICE_ADDED = "Added {name}. It shows in /find now."
SERVICE_EDITED = "Updated {name}, and marked it checked today."
# Messages between mentee and staff through the bot, and staff hours (bot/flows/relay.py,
# relay_notes.py, hours.py).
RELAY_ASK = "What would you like to say to {name}? Type your message and send it."
RELAY_ASK_AGAIN = (
    "Please type your message to {name}. Or send /cancel if you do not want to send one."
)
RELAY_TOO_LONG = (
    "Sorry, that is a bit long for one message. Please keep it to {limit} letters, "
    "or send it in two parts."
)
RELAY_NO_MENTOR = (
    "You do not have a mentor just now, so there is no one to send this to. Please ask the clinic."
)
RELAY_CANNOT_SEND = "Sorry, this message can't be sent now. Nothing has been sent."
RELAY_REPLY = "Reply"
RELAY_FROM_STAFF = "Message from {name}: {text}"
RELAY_STAFF_REPLIED = "{name} replied: {text}"
RELAY_SENT = "Thanks. Your message is on its way to {name}."
RELAY_SENT_NO_HOURS = (
    "Thanks. Your message is on its way to {name}. They will reply when they can, "
    "so it may take a while. If you need help now, send HELP."
)
RELAY_OUTSIDE_HOURS = (
    "Thanks, it is sent. {name} usually reads messages {hours}, so they will see this {when}. "
    "If you need help before then, you can call or text one of these:"
)
RELAY_LATER_TODAY = "later today"
RELAY_TOMORROW = "tomorrow {part}"
RELAY_ON_DAY = "on {day} {part}"
RELAY_PARTS_OF_DAY = ("morning", "afternoon", "evening")
RELAY_FROM_MENTEE = "Message from {name}: {text}"
RELAY_MENTEE_REPLIED = "{name} replied: {text}"
RELAY_STAFF_SENT = "Sent to {name}."
RELAY_USAGE = "Send /msg NAME and your message, e.g. /msg Sam See you on Tuesday."
HOURS_EVERY_DAY = "every day"
HOURS_USAGE = (
    "Send /hours DAYS FROM-TO, e.g. /hours Mon-Fri 09:00-17:00, or /hours off to clear, "
    "or /hours to be asked step by step."
)
HOURS_NOW = "Your hours now: {hours}."
HOURS_SAVED = (
    "Saved: you read messages {hours}. Outside these hours mentees are told when you will "
    "see their message, and given the crisis lines."
)
HOURS_CLEARED = "Hours cleared. Mentees will be told you reply when you can."
HOURS_ASK_DAYS = "Which days do you read messages? Choose one, or type days like Mon, Wed, Fri."
HOURS_ASK_FROM = "From what time? Choose one, or type a time like 09:30."
HOURS_ASK_TO = "Until what time? Choose one, or type a time like 17:30."
HOURS_END_REASK = "The end must be after {start} (hours cannot cross midnight)."

# To a mentor when Telegram keeps failing for their mentee and texts take over.
NOTICE_FAILING_TEXTING = (
    "We could not get through to {name} on Telegram. Their reminders will now go by text message."
)

# Issue 14, one vocabulary: what is said when a typed answer is understood but cannot be used.
SETTINGS_TIME_OUTSIDE = (
    "I send check-ins from 08:00 to 20:59, so I do not wake you. Please type a time in those "
    "hours, like 7pm."
)
# Free text with care (issue 14, point 5): a kind reply to a message in the person's own words,
# and to a relapse told in words (bot/flows/free_text.py, free_text_offers.py).
FREE_ACK = "Thanks for your message. I am a bot, so I can't answer it in my own words."
FREE_ACK_FEELING = "Thank you for telling me how you feel. I am a bot, so I can't talk it through."
FREE_WHAT_NEXT = "What would you like to do?"
FREE_SMS_OPTIONS = "Reply MENTOR to send your message to {name}, or FIND to look for help."
FREE_SMS_FIND = "Reply FIND to look for help."
FREE_TO_MENTOR = "Send it to {name}"
FREE_FIND = "Find help"
FREE_CARRY_ON = "Carry on"
FREE_SHOW_BACK = "I will send this to {name}:\n\n{text}\n\nShall I send it?"
FREE_SEND = "Yes, send it"
FREE_DONT_SEND = "No, don't send"
FREE_NOT_SENT = "OK. I have not sent it."
FREE_NOTHING_WAITING = "There is no message waiting to send. Please write it again."
RELAPSE_REPLY = (
    "Thank you for telling me. A slip can happen to anyone in recovery. "
    "It does not undo what you have done so far."
)
RELAPSE_FACTS = (
    "Please stay safe:\n"
    "- After a break your body can't take as much. Your usual amount could kill you. "
    "Use less, and go slow.\n"
    "- Try not to use alone.\n"
    "- Carry naloxone. It is free from your drug service or a pharmacy. Just ask.\n"
    "- If someone can't be woken, call 999."
)
RELAPSE_OFFER = "Would you like me to tell {name}? I will only say that you have used again."
RELAPSE_SMS_OFFER = "To let {name} know, reply TELL. I will only say that you have used again."
RELAPSE_TELL = "Yes, tell {name}"
RELAPSE_DONT_TELL = "No, not now"
RELAPSE_TOLD = "OK. I have let {name} know."
RELAPSE_NOT_TOLD = "OK. I have not told anyone."
# To the mentor, only when the mentee says yes: kept to the least that helps.
NOTICE_RELAPSE = "{name} told the bot they have used again and would like you to know."
# Your data works for everything kept (issue 14, point 9: /privacy, /mydata, goal and /cancel
# wording). The kinds are tied to the tables in bot/flows/kept.py.
PRIVACY_KEPT_HEAD = "Here is all we keep about you:"
KEPT_WORDS = {
    "you": (
        "Your first name, your phone number or Telegram account, when you said yes to "
        "taking part, and the day and time you chose for check-ins."
    ),
    "mentoring": "When your mentoring began and when it ends, and which clinic you go to.",
    "check_ins": "Your answers to check-ins, and their scores.",
    "ratings": "How your mentor rates the way things are going for you.",
    "priorities": "The parts of your life that matter most to you.",
    "goals": "Your goals, their steps and reminders, and how they are going.",
    "meetings": "Your meetings with your mentor.",
    "notes": "Short notes your mentor writes about your meetings.",
    "relayed": "Messages between you and your mentor sent through this app.",
    "services": "Services we sent you, and what you said about them.",
    "safety": "A note if a message of yours made us fear for your safety.",
    "concerns": "Any worry you told a supervisor about.",
    "sent": "Messages we send you and if they got to you, and what you send us.",
    "looked": "When staff looked at your record.",
}
KEPT_COUNTS = {
    "check_ins": "Check-ins: {count}",
    "ratings": "Ratings by your mentor: {count}",
    "priorities": "Parts of life you chose: {count}",
    "goals": "Goals: {count}",
    "meetings": "Meetings: {count}",
    "notes": "Notes by your mentor: {count}",
    "relayed": "Messages with your mentor: {count}",
    "services": "Services sent to you: {count}",
    "safety": "Safety notes: {count}",
    "concerns": "Worries you told a supervisor: {count}",
    "sent": "Messages to and from this app: {count}",
    "looked": "Times staff looked at your record: {count}",
}
MYDATA_HEAD = "What we keep about you: your name ({name}) and your number ({number})."
STOPPED_THAT = "OK, we have stopped that."
CANCELLED = {"checkin": PAUSED}  # flows whose progress is kept say how to carry on
GOAL_SAVED_STEP_BY = "Your first step: {step}. You aim to do it by {day}."
GOAL_ASK_WHEN_GOAL = (
    "By when would you like to reach this goal? Choose one, or type a date like 14/3."
)
# Issue 14, point 7: a staff command sent without its argument asks for it
# (bot/flows/command_args.py).
ARG_ASK_MENTEE = "What is the mentee's first name?"
ARG_ASK_PHONE = "What is their mobile number?"
ARG_ASK_NAME = "And their first name?"
ARG_ASK_PHONE_OF = "What is {name}'s mobile number?"
ARG_ASK_NOTE = "What is the note about {name}? Keep it short."
ARG_ASK_SITE = "Which site does {name} go to now?"
ARG_ASK_NEW_MENTOR = "Which mentor should {name} move to?"
ARG_ASK_MENTOR = "Which mentor? Send their first name."
ARG_ASK_ENTRY = "Which entry in the list of services? Send its name."
ARG_PICK_SITE = "Please choose one of these sites: {sites}."
ARG_ONE_NAME = "Please send one name only, like Sam."
ARG_CANCELLED = "OK, cancelled. Nothing was done."
ARG_TOO_LATE = (
    "I asked for that a while ago, so I let it go. Nothing was done. Send /{command} again."
)
# Channel-true wording (issue 14, point 6): joining by text, and /invite's line for texts.
# Mentee-facing.
START_NEEDS_CODE_SMS = (
    "Hello. To join, you need a code from your mentor. Text JOIN and the code, like JOIN AB12CD."
)
INVITE_WAITING_SMS = (
    "Hello {name}. {mentor} has invited you to join the mentoring service. "
    "To find out more, reply JOIN. Ignore this if it is not for you."
)
# Staff-facing.
INVITE_BY_TEXT = "By text: they send JOIN {code} to {number}"
INVITE_BY_TEXT_NO_NUMBER = "By text: they send JOIN {code} to this service's text number"
# Pictures that explain themselves (issue 14, point 8): scales, dates, marks, missing answers.
PICTURE_LOWER_BETTER = "Lower is better"
PICTURE_NO_ANSWER = "no answer"
AREA_FOR_STAFF = "{plain} ({term})"
AREA_LIST = "{first} and {last}"
SCALE_OUT_OF = "out of {most}"
SCALE_FROM_TO = "{least} to {most}"
PICTURE_MARK_STRONGEST = "strongest"
PICTURE_MARK_TO_WORK_ON = "to work on"
PICTURE_THIS_WEEK = "This week ({date})"
PICTURE_FIRST_WEEK = "First week ({date})"
PICTURE_SCALE_EACH_AREA = "Each area, {scale}"
PICTURE_SCALE_EACH_ANSWER = "Each answer, {scale}"
PICTURE_SCALE_EACH = "Score, {scale}"
PICTURE_LATEST = "Latest ({date})"
# Flows on the question engine (issue 14, point 1: meetings, priorities, /hours, /close, /msg).
# Mentee-facing.
PRIORITIES_UNPICKED = "OK, {area} is off your list. Pick another one, or choose Done."
# Staff-facing.
MEET_TIME_OUTSIDE = "Please choose a time between 07:00 and 21:00, like 2pm, 9:30 or 14:00."
# Goals on the question engine (bot/flows/goal_adding.py, goal_staff.py): back at a question
# answered in own words, what was written before is offered to keep.
GOAL_YOU_WROTE = "You wrote: {words}"
GOAL_KEEP = "Keep it"

# Alerts that get picked up (issue 15, points 4 and 5): /ack NAME, /attention's open alerts,
# and who picked an alert up. Staff-facing.
ACK_NEEDS_NAME = "Please add the mentee's name: /ack Sam"
ACK_NONE_OPEN = "{name} has no crisis alert waiting to be picked up."
ACK_DONE = "Thank you. It is noted that you are on {name}'s crisis alert."
CRISIS_PICKED_UP = "{staff} is on {name}'s crisis alert. Thank you."
ATTENTION_OPEN_ALERT = (
    "Crisis alert NOT picked up: {name} ({what}), {age} ago. Say so below when you are on it."
)
AGE_MINUTES = "{count} min"
AGE_HOURS = "{count} hours"
AGE_DAYS = "{count} days"

# Two groups compared (issue 21): /report compare A B, for supervisors. Staff-facing.
COMPARE_TITLE = "Compare: {a} and {b}"
COMPARE_USAGE = (
    "Name two groups: /report compare hub spokes, /report compare finished left, or "
    "/report compare mentor=Alex (Alex's mentees and everyone else). A group kept from "
    "another programme's file is named alone: /report compare day-programme. Add site=, "
    "from= or to= (dates as YYYY-MM-DD) to narrow it down."
)
COMPARE_PICTURE = (
    "Each dot is one person's change. The diamond and its line are the group's mean change "
    "and 95% CI."
)
COMPARE_MORE = (
    "Each ARC area, and CSV or JSON: mentorbot report --compare on the command line. How to "
    "read it: the supervisors' part of the mentor guide."
)
# A message whose saving could not be confirmed at once (issue 20, bot/held.py). Mentee-facing.
SAVING_YOUR_ANSWER = "Thanks, we are saving your answer. Your next question is on its way."
GOT_IT_ALREADY = "Thanks, we got that the first time."
# Staff chat, smoothed (issue 18, point 7): /help grouped and short, one line for other words.
# Staff-facing.
STAFF_HELP_GROUPS = {  # heading: the commands under it, each shown as its STAFF_COMMAND_HELP usage
    "Mentees": "mentees attention ack mentee plan upcoming failed",
    "Records": "note rate goal site close",
    "Meetings and messages": "meet meetings msg hours",
    "New mentees": "invite addmentee addphone",
    "Services": "find signpost signposts",
    "Supervisors": "caseloads assign supervision staff report export audit",
    "Directory": "stale retire service",
}
STAFF_HELP_MORE = "Send /help and a command for an example, like /help note."
STAFF_HINT = "Send /help for your commands."
# Mentee-facing too (a mentee may try a staff command): who may use a command refused.
ONLY_WHO_CAN = "Only {who} can {what}."
ONLY_WHO = {"supervisors": "supervisors", "staff": "mentors and supervisors", "mentees": "mentees"}
REFUSED_WHAT = {
    "checkin": "answer check-ins",
    "meeting": "see their next meeting",
    "settings": "choose a check-in day",
    "invite": "invite a mentee",
    "addmentee": "invite a mentee by text",
    "addphone": "add a mentee's number",
    "phone": "add their number for texts",
    "meet": "book meetings",
    "meetings": "list meetings",
    "upcoming": "see what the bot will send",
    "failed": "see messages that did not get through",
    "signpost": "send a mentee a service",
    "signposts": "see the services sent",
    "stale": "check the directory of services",
    "retire": "change the directory of services",
    "service": "change the directory of services",
    "report": "see the report",
    "export": "export the data",
    "mentees": "see a caseload",
    "attention": "see who needs attention",
    "ack": "pick up a crisis alert",
    "note": "add session notes",
    "site": "record a change of clinic",
    "assign": "move a mentee to another mentor",
    "supervision": "record supervision",
    "staff": "list the staff",
    "caseloads": "see every caseload",
    "audit": "see who looked at a record",
    "concern": "raise a concern with a supervisor",
    "mydata": "get a copy of their own data",
    "forget": "ask for their own data to be deleted",
    "goals": "set their own goals",
    "goal": "suggest a goal to a mentee",
    "rate": "rate self-sufficiency",
    "close": "end mentoring",
    "mentee": "see a mentee's record",
    "summary": "see their mentoring summary",
    "hours": "set the hours they read messages",
    "web": "open the staff dashboard",
}
# The staff dashboard (issue 18): /web. Staff-facing.
STAFF_HINT_WEB = "Send /help for your commands, or /web to open the dashboard."
WEB_LINK = (
    "Your sign-in link to the dashboard. It works once, for 10 minutes, and only for you:\n{link}"
)
WEB_NOT_SET_UP = "The dashboard is not set up here. Ask whoever runs the bot to set its address."
# WhatsApp as a third channel (issue 17, point 4).
# Staff-facing: /invite's line, /addmentee whatsapp, and how a mentee is reached (/mentee).
INVITE_BY_WHATSAPP = "On WhatsApp: they send JOIN {code} to {number}, or open {link}"
ADDMENTEE_USAGE_WHATSAPP = (
    "For WhatsApp, put whatsapp first, like /addmentee whatsapp 07700 900123 Sam"
)
ADDMENTEE_NO_WHATSAPP = "WhatsApp is not set up for this service, so I cannot invite on WhatsApp."
ADDMENTEE_WHATSAPP_SENT = (
    "Invitation sent to {name} on WhatsApp (or by text if WhatsApp cannot start the chat). "
    "They join by replying JOIN {code}. Nothing else is sent until they agree."
)
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "sms": "SMS"}
CHANNEL_THEN = ", then "
# WhatsApp buttons (issue 17, point 4): a button tapped on a question answered already.
TAPPED_ANSWERED_ALREADY = "You have answered that one already."
