"""Every text the flows send, walked by SMS through the signed Twilio webhook, speaks the SMS way.

A stranger, a number invited with /addmentee, joining, a check-in's first questions, HELP,
FIND, goals, settings, a meeting and the scheduler's reminders, privacy, a concern and a
message: each text sent is checked for taps, buttons, /start and commands a phone cannot use.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.messages import Channel, Sender
from bot.reminder_policy import load_policy
from bot.scheduling.materialiser import Materialiser
from bot.service import MentorService
from bot.signposting import Directory
from tests.conftest import LONDON, FakeClock
from tests.handlers.sms_wording import chat_words
from tests.handlers.test_sms import SAM, SmsWorld, sms  # noqa: F401 (the fixture)
from tests.utils import MENTOR_PHONE, Chat, add_staff

STRANGER = "+447700900555"


async def test_every_text_of_the_main_flows_speaks_the_sms_way(
    sms: SmsWorld,  # noqa: F811
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    shipped_directory: Directory,
) -> None:
    await sms.text("hello", sender=STRANGER)
    assert sms.inbox(STRANGER) == [texts.START_NEEDS_CODE_SMS]

    # Invited by text: anything but JOIN hears the invite is waiting; a plain yes opens it.
    await add_staff(session_factory, service)
    service.sms_enabled = True
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await mentor.send("/addmentee 07700 900123 Sam")
    await sms.dispatcher.run_once()
    await sms.text("who is this?")
    assert sms.inbox()[-1] == texts.INVITE_WAITING_SMS.format(name="Sam", mentor="Alex")
    await sms.text("yes")
    assert sms.inbox()[-1].startswith(texts.ASK_CONSENT)
    await sms.text("maybe")
    assert sms.inbox()[-2] == (
        "Sorry, I did not get that. Please reply 1 for Yes, I agree or 2 for No, thanks."
    )
    assert sms.inbox()[-1].startswith(texts.ASK_CONSENT)
    await sms.text("1")
    assert sms.inbox()[-1].startswith("Part 1 of 3, question 1 of 50: ")

    # The check-in's first questions, a word it does not take, a pause and a return.
    await sms.text("1")
    await sms.text("purple")
    assert sms.inbox()[-2] == (
        "Sorry, I did not get that. Please reply 1 for Yes or 2 for No. Or reply SKIP to leave it."
    )
    await sms.text("the weather is nice")  # own words: a kind reply, then the question
    assert sms.inbox()[-1].startswith("Part 1 of 3, question 2 of 50: ")
    await sms.text("PAUSE")
    assert (
        sms.inbox()[-1]
        == "OK, we have stopped for now. Your answers are saved. Send CHECKIN to carry on."
    )
    await sms.text("CHECKIN")
    assert sms.inbox()[-1].startswith("Part 1 of 3, question 2 of 50: ")
    await sms.text("PAUSE")

    await sms.text("HELP")
    assert "CHECKIN - answer a few short questions\nMEET - your next meeting" in sms.inbox()[-3]
    assert "PAUSE - stop for now" in sms.inbox()[-3]

    await sms.text("FIND")
    assert sms.inbox()[-1].startswith("What kind of help are you looking for? Choose one")
    await sms.text("1")
    await sms.text("FIND housing")

    await sms.text("GOALS")
    await sms.text("somewhere")
    assert sms.inbox()[-2] == "Sorry, I did not get that. Please reply with a number, 1 to 10."
    await sms.text("6")
    await sms.text("Go to the walking group")
    await sms.text("1")  # skip the step
    await sms.text("2")  # in a month
    await sms.text("3")  # once a week
    await sms.text("5")  # Friday
    await sms.text("1")  # morning
    assert sms.inbox()[-1].endswith("Send GOALS to change it.")

    await sms.text("SETTINGS")
    await sms.text("whenever")
    assert sms.inbox()[-2] == "Sorry, I did not get that. Please reply with a number, 1 to 7."
    await sms.text("3")
    await sms.text("1")
    assert sms.inbox()[-1].endswith("Send SETTINGS to change it.")

    await sms.text("MEET")
    assert sms.inbox()[-1] == texts.MEETING_NONE
    await mentor.send("/meet Sam")
    await mentor.tap("Wed 4 Mar")
    await mentor.tap("14:00")
    await mentor.tap(mentor.question.choices[0].label)
    await sms.dispatcher.run_once()
    assert sms.inbox()[-1].endswith(
        "Text DETAILS for where.\n1 Confirm\n2 Can't make it\n3 Ask for another time\nReply 1-3"
    )
    await sms.text("1")

    # The scheduler's reminders and prompts, rendered for a phone when they are sent.
    materialiser = Materialiser(session_factory=session_factory, policy=load_policy(), zone=LONDON)
    sent = len(sms.inbox())
    end = clock.now + timedelta(days=4)
    while clock.now < end:
        clock.advance(minutes=30)
        await materialiser.meetings(clock.now)
        await materialiser.nudges(clock.now)
        await materialiser.goal_reminders(clock.now)
        await sms.dispatcher.run_once()
    scheduled = sms.inbox()[sent:]
    assert any(body.startswith("Reminder: meeting with Alex") for body in scheduled)
    assert any(body.startswith('How is "Go to the walking group" going?') for body in scheduled)

    await sms.text("PRIVACY")
    assert any("Send MYDATA to see what we keep." in body for body in sms.inbox()[-3:])
    await sms.text("CONCERN")
    await sms.text("nothing really")
    assert sms.inbox()[-2] == (
        f"Sorry, I did not get that. Please reply 1 for {texts.CONCERN_SOMETHING_WRONG} "
        f"or 2 for {texts.CONCERN_NEW_MENTOR}."
    )
    await sms.text("PAUSE")
    await sms.text("MSG")
    await sms.text("PAUSE")
    await sms.text("MYDATA")

    # The mentor texts too: an invite from a phone gives the JOIN wording.
    await sms.text("/invite Kim", sender=MENTOR_PHONE)
    assert "(they send JOIN " in sms.inbox(MENTOR_PHONE)[-1]
    assert "By text: they send JOIN " in sms.inbox(MENTOR_PHONE)[-1]

    assert len(sms.twilio.sent) > 60
    for text in sms.twilio.sent:
        assert chat_words(text.body, staff=text.to == MENTOR_PHONE) == [], text.body
