"""End to end on Telegram: the real PTB Application over HTTP against the fake Bot API."""

from __future__ import annotations

import asyncio
import gc
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import time
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.__main__ import app as cli
from bot.flows import texts
from bot.handlers.telegram import STALE_TAP, build_application, learn_bot_username
from bot.handlers.web import SECRET_HEADER, TelegramWebhook, create_web_app
from bot.instruments import Instrument
from bot.scheduling.quiet import QuietHours
from bot.service import MentorService
from bot.storage.models import Answer, Person, Score, TelegramUpdate
from tests.conftest import LONDON, TEST_KEY, FakeClock, make_service
from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage
from tests.handlers.channels import kept_polling
from tests.utils import add_staff, count_rows, overall_number

MENTOR, MENTEE = 1001, 2002
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SECRET = "webhook-secret-for-tests"

App = Any


def telegram_app(fake: FakeTelegramAPI, service: MentorService) -> App:
    return build_application(
        token=fake.token,
        base_url=fake.base_url,
        service=service,
        send_rate_per_second=1000,
        concurrent_updates=8,  # the default setting: several chats at once
        quiet=QuietHours(time(21), time(8), LONDON),
    )


@asynccontextmanager
async def running(fake: FakeTelegramAPI, service: MentorService) -> AsyncIterator[App]:
    application = telegram_app(fake, service)
    async with kept_polling(application, service):
        await learn_bot_username(application, service)
        yield application


def latest(fake: FakeTelegramAPI, chat_id: int) -> SentMessage:
    return fake.messages_to(chat_id)[-1]


async def wait_for_question(fake: FakeTelegramAPI, number: int) -> SentMessage:
    """Waits until question `number` (1-61) of the baseline is the newest message to the mentee."""

    def asks(message: SentMessage) -> bool:
        return overall_number(message.text or "") == number

    await fake.wait_until(
        lambda: any(asks(m) for m in fake.messages_to(MENTEE)[-2:]), what=f"question {number}"
    )
    return next(m for m in reversed(fake.messages_to(MENTEE)) if asks(m))


async def wait_for_break(fake: FakeTelegramAPI) -> SentMessage:
    """Waits until the offer of a break between parts is the newest message to the mentee."""
    await fake.wait_until(
        lambda: texts.TAKE_BREAK in latest(fake, MENTEE).button_labels, what="a break"
    )
    return latest(fake, MENTEE)


async def join(fake: FakeTelegramAPI) -> SentMessage:
    """Mentor invites, mentee opens the link and agrees; returns the first question."""
    fake.user_message(MENTOR, "/invite Sam")
    [invite] = await fake.wait_for_sent(1, chat_id=MENTOR)
    match = re.search(rf"https://t\.me/{fake.bot_username}\?start=([A-Z0-9]+)", invite.text or "")
    assert match is not None, invite.text
    fake.user_message(MENTEE, f"/start {match.group(1)}")
    consent = (await fake.wait_for_sent(5, chat_id=MENTEE))[-1]
    assert consent.button_labels == [texts.CONSENT_YES, texts.CONSENT_NO]
    fake.user_presses(MENTEE, consent.message_id, consent.data_for(texts.CONSENT_YES))
    first = await wait_for_question(fake, 1)
    edited = fake.current_message(MENTEE, consent.message_id)
    assert edited is not None and "reply_markup" not in edited
    assert edited["text"].endswith(texts.CONSENT_YES)
    return first


async def test_staff_invite_join_and_baseline_with_a_restart(
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> None:
    added = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["staff", "add", "--name", "Alex", "--telegram-id", str(MENTOR), "--role", "mentor"],
        env={"MENTORBOT_DATABASE_URL": database_url, "MENTORBOT_ENCRYPTION_KEYS": TEST_KEY},
    )
    assert added.exit_code == 0, added.output
    async with FakeTelegramAPI() as fake:
        async with running(fake, make_service(session_factory, instruments, clock)):
            question = await join(fake)
            notice = (await fake.wait_for_sent(2, chat_id=MENTOR))[-1]
            assert notice.text == texts.NOTICE_JOINED.format(name="Sam")
            for number in range(1, 31):
                label = "Yes" if number % 3 else "No"
                fake.user_presses(MENTEE, question.message_id, question.data_for(label))
                question = await wait_for_question(fake, number + 1)
        # The bot process restarts mid-questionnaire: a new Application and a new service.
        async with running(fake, make_service(session_factory, instruments, clock)):
            for number in range(31, 62):
                fake.user_message(MENTEE, "yes" if number <= 50 else "agree")
                if number in (50, 56):  # the end of a part: typed words carry on
                    await wait_for_break(fake)
                    fake.user_message(MENTEE, "carry on" if number == 50 else "yes")
                if number < 61:
                    await wait_for_question(fake, number + 1)
            await fake.wait_until(lambda: latest(fake, MENTEE).text == texts.PRIORITIES_ASK)
            picture = fake.messages_to(MENTEE)[-2]
            assert picture.method == "sendPhoto"
            await fake.wait_for_sent(3, chat_id=MENTOR)
            areas = latest(fake, MENTEE)
            fake.user_presses(MENTEE, areas.message_id, areas.data_for("Home (strongest)"))
            await fake.wait_until(lambda: "Done" in latest(fake, MENTEE).button_labels)
            done = latest(fake, MENTEE)
            fake.user_presses(MENTEE, done.message_id, done.data_for("Done"))
            await fake.wait_until(lambda: latest(fake, MENTEE).text == texts.ASK_CHECKIN_DAY)
            fake.user_message(MENTEE, "/plan")
            await fake.wait_until(lambda: latest(fake, MENTEE).method == "sendPhoto")
            card = latest(fake, MENTEE)
    assert picture.photo is not None and picture.photo.startswith(PNG_SIGNATURE)
    assert "Your strongest areas" in (picture.text or "")
    assert any(
        "finished their first full check" in (m.text or "") for m in fake.messages_to(MENTOR)
    )
    assert card.photo is not None and card.photo.startswith(PNG_SIGNATURE)
    assert (card.text or "").startswith("Your plan\nWhat matters most: Home.")
    assert await count_rows(session_factory, Answer) == 61
    async with session_factory() as session:
        total = await session.scalar(
            select(Score.value).where(Score.instrument == "arc", Score.key == "total")
        )
    assert total == 40  # every third of the first 30 was "No"


async def test_second_tap_and_odd_messages_change_nothing(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        first = await join(fake)
        yes = first.data_for("Yes")
        fake.user_presses(MENTEE, first.message_id, yes)
        second = await wait_for_question(fake, 2)
        outputs = len(fake.messages_to(MENTEE))
        fake.user_presses(MENTEE, first.message_id, yes, strict=False)
        await fake.wait_until(lambda: len(fake.answered_callbacks) == 3)
        assert fake.answered_callbacks[-1].get("text") == STALE_TAP
        assert len(fake.messages_to(MENTEE)) == outputs
        for odd in ({"sticker": True}, {"photo": True}, {"text": "x" * 5000}):
            fake.user_message(MENTEE, **odd)
            outputs += 2
            await fake.wait_for_sent(outputs, chat_id=MENTEE)
            reask, again = fake.messages_to(MENTEE)[-2:]
            assert (reask.text or "").startswith(texts.REASK_SORRY)
            assert again.text == second.text and again.buttons == second.buttons
    assert await count_rows(session_factory, Answer) == 1


async def test_skip_and_back_are_buttons_of_their_own_on_telegram(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        first = await join(fake)
        assert first.buttons[-1] == [(texts.SKIP_LABEL, first.data_for(texts.SKIP_LABEL))]
        fake.user_presses(MENTEE, first.message_id, first.data_for(texts.SKIP_LABEL))
        second = await wait_for_question(fake, 2)
        edited = fake.current_message(MENTEE, first.message_id)
        assert edited is not None and edited["text"].endswith(texts.SKIPPED)
        assert [label for label, _ in second.buttons[-1]] == [texts.BACK_LABEL, texts.SKIP_LABEL]
        fake.user_presses(MENTEE, second.message_id, second.data_for(texts.BACK_LABEL))
        await fake.wait_until(
            lambda: overall_number(latest(fake, MENTEE).text or "") == 1, what="question 1 again"
        )
    assert await count_rows(session_factory, Answer) == 0  # the skip was taken back


def next_question_after(fake: FakeTelegramAPI, message_id: int, count: int) -> bool:
    """A newer message with buttons has come than the `count` sent up to `message_id`."""
    newest = latest(fake, MENTEE)
    return (
        len(fake.messages_to(MENTEE)) > count
        and newest.message_id != message_id
        and bool(newest.button_labels)
    )


async def test_the_first_checkin_by_buttons_costs_the_questions_and_at_most_ten_more(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        await join(fake)
        consent = next(
            index
            for index, message in enumerate(fake.messages_to(MENTEE))
            if texts.CONSENT_YES in message.button_labels
        )
        while latest(fake, MENTEE).text != texts.PRIORITIES_ASK:
            shown = latest(fake, MENTEE)
            first = shown.button_labels[0]  # Yes, Agree strongly, or Carry on at a break
            sent = len(fake.messages_to(MENTEE))
            fake.user_presses(MENTEE, shown.message_id, shown.data_for(first))
            await fake.wait_until(
                partial(next_question_after, fake, shown.message_id, sent),
                what="the next question",
            )
        after_consent = fake.messages_to(MENTEE)[consent + 1 :]
    new = [m for m in after_consent if m.method in ("sendMessage", "sendPhoto")]
    assert await count_rows(session_factory, Answer) == 61
    assert len(new) <= 61 + 10, [m.text for m in new if m.text][:12]


async def test_unknown_person_is_told_how_to_join(service: MentorService) -> None:
    async with FakeTelegramAPI() as fake, running(fake, service):
        fake.user_message(MENTEE, "hello")
        [reply] = await fake.wait_for_sent(1, chat_id=MENTEE)
    assert reply.text == texts.START_NEEDS_CODE


@asynccontextmanager
async def webhook_client(
    fake: FakeTelegramAPI, service: MentorService
) -> AsyncIterator[tuple[httpx.AsyncClient, TelegramWebhook]]:
    application = telegram_app(fake, service)
    webhook = TelegramWebhook(service=service, application=application, secret=SECRET)
    transport = httpx.ASGITransport(app=create_web_app(webhook=webhook))
    async with application:
        await application.start()
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
                yield client, webhook
        finally:
            await application.stop()


async def test_webhook_with_wrong_secret_is_refused_and_changes_nothing(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with FakeTelegramAPI() as fake, webhook_client(fake, service) as (client, _):
        update = fake.user_message(MENTEE, "hello")
        for headers in ({SECRET_HEADER: "wrong"}, {}):
            response = await client.post("/telegram/webhook", json=update, headers=headers)
            assert response.status_code == 403
        await asyncio.sleep(0.2)
        assert fake.messages_to(MENTEE) == []
    assert await count_rows(session_factory, TelegramUpdate) == 0


async def test_webhook_delivery_twice_is_processed_once(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    headers = {SECRET_HEADER: SECRET}
    async with FakeTelegramAPI() as fake, webhook_client(fake, service) as (client, _):
        update = fake.user_message(MENTOR, "/invite Sam")
        for _ in range(2):
            response = await client.post("/telegram/webhook", json=update, headers=headers)
            assert response.status_code == 200
        await fake.wait_for_sent(1, chat_id=MENTOR)
        await asyncio.sleep(0.3)
        assert len(fake.messages_to(MENTOR)) == 1
        bad = await client.post("/telegram/webhook", content=b"{not json", headers=headers)
        assert bad.status_code == 400
    assert await count_rows(session_factory, TelegramUpdate) == 1


async def test_stored_but_unhandled_update_is_replayed_after_restart(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with FakeTelegramAPI() as fake:
        update = fake.user_message(MENTEE, "hello")
        # The process stored the update, answered 200, then died before handling it.
        assert await service.store_telegram_update(update["update_id"], update)
        async with webhook_client(fake, service) as (_, webhook):
            assert await webhook.replay_unprocessed() == 1
            await fake.wait_for_sent(1, chat_id=MENTEE)
            await asyncio.sleep(0.2)
            assert await webhook.replay_unprocessed() == 0
        assert [m.text for m in fake.messages_to(MENTEE)] == [texts.START_NEEDS_CODE]
    async with session_factory() as session:
        assert (await session.execute(select(Person))).first() is None


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_serve_app_starts_in_both_modes(
    mode: str, database_url: str, service: MentorService
) -> None:
    """The composition root wires PTB into the ASGI lifespan; webhook mode registers itself.

    What start-up made is kept out of the garbage collector's sight while serving (its full
    collections paused every update in hand), and given back when serving stops.
    """
    from bot.app import build_web
    from config.settings import load_settings

    async with FakeTelegramAPI() as fake:
        settings = load_settings(
            database_url=database_url,
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            telegram_mode=mode,
            public_url="https://bot.example.org",
            telegram_webhook_secret=SECRET,
        )
        from bot.storage.db import make_engine

        engine = make_engine(database_url)
        web = build_web(settings, engine, service)
        async with web.router.lifespan_context(web):
            assert gc.get_freeze_count() > 0
            transport = httpx.ASGITransport(app=web)
            async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
                health = await client.get("/healthz")  # no scheduler has run yet
                assert health.status_code == 503
                assert health.json()["database"] == "ok"
                assert health.json()["scheduler_heartbeat"] is None
                staff = await client.get("/staff/")  # the dashboard is mounted, behind sign-in
                assert staff.headers["location"] == "/staff/signin"
            if mode == "webhook":
                assert fake.webhook is not None
                assert fake.webhook["url"] == "https://bot.example.org/telegram/webhook"
            else:
                fake.user_message(MENTEE, "hello")
                await fake.wait_for_sent(1, chat_id=MENTEE)
        assert gc.get_freeze_count() == 0


async def test_serve_opens_a_connection_for_each_update_in_hand_before_taking_any(
    database_url: str, clock: FakeClock
) -> None:
    """After a restart the first burst (reminders answered together) finds its connections
    open, instead of each update paying for a login."""
    from bot.app import build_service, build_web, pool_size
    from config.settings import load_settings

    async with FakeTelegramAPI() as fake:
        settings = load_settings(
            database_url=database_url,
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            telegram_mode="webhook",
            public_url="https://bot.example.org",
            telegram_webhook_secret=SECRET,
            concurrent_updates=6,
        )
        engine, service = build_service(settings, clock=clock)
        web = build_web(settings, engine, service)
        async with web.router.lifespan_context(web):
            assert engine.pool.checkedin() == pool_size(settings) > 6  # type: ignore[attr-defined]


async def test_next_question_arrives_even_if_marking_the_old_one_fails(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        first = await join(fake)
        fake.fail_next(
            "editMessageText", error_code=400, description="Bad Request: message can't be edited"
        )
        fake.user_presses(MENTEE, first.message_id, first.data_for("No"))
        await wait_for_question(fake, 2)
    assert await count_rows(session_factory, Answer) == 1


async def test_crisis_message_mid_questionnaire_on_telegram(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        await join(fake)
        before = len(fake.messages_to(MENTEE))
        fake.user_message(MENTEE, "I don't want to be here anymore")
        await fake.wait_until(
            lambda: texts.CRISIS_LINES in [m.text for m in fake.messages_to(MENTEE)]
        )
        said = [m.text for m in fake.messages_to(MENTEE)[before:]]
        assert said[0] == texts.CRISIS_REPLY_LIFE
        await fake.wait_until(
            lambda: any("URGENT" in (m.text or "") for m in fake.messages_to(MENTOR))
        )
        urgent = next(m for m in fake.messages_to(MENTOR) if "URGENT" in (m.text or ""))
        fake.user_presses(MENTOR, urgent.message_id, urgent.data_for(texts.CRISIS_ACK))
        await fake.wait_until(lambda: fake.messages_to(MENTOR)[-1].text == texts.CRISIS_ACKED)


async def test_mentee_shares_their_own_number_for_texts(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        await join(fake)
        fake.user_message(MENTEE, "/phone")
        await fake.wait_until(lambda: latest(fake, MENTEE).text == texts.PHONE_ASK)
        markup = latest(fake, MENTEE).params["reply_markup"]
        assert markup["keyboard"][0][0]["request_contact"] is True
        fake.user_message(MENTEE, contact=("+447700900555", 999))  # someone else's card
        await fake.wait_until(lambda: latest(fake, MENTEE).text != texts.PHONE_ASK)
        fake.user_message(MENTEE, contact=("07700 900123", MENTEE))
        await fake.wait_until(lambda: latest(fake, MENTEE).text == texts.PHONE_SAVED)
        assert latest(fake, MENTEE).params["reply_markup"] == {"remove_keyboard": True}
    async with session_factory() as session:
        sam = (
            await session.execute(select(Person).where(Person.telegram_user_id == MENTEE))
        ).scalar_one()
    assert sam.phone == "+447700900123"


async def test_each_chat_gets_the_command_menu_of_its_role(
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> None:
    from bot.storage.models import Role

    await add_staff(
        session_factory,
        make_service(session_factory, instruments, clock),
        name="Alex",
        telegram_user_id=MENTOR,
    )
    await add_staff(
        session_factory,
        make_service(session_factory, instruments, clock),
        name="Pat",
        role=Role.SUPERVISOR,
        telegram_user_id=3003,
    )
    async with (
        FakeTelegramAPI() as fake,
        running(fake, make_service(session_factory, instruments, clock)),
    ):
        await join(fake)
        fake.user_message(3003, "/help")
        await fake.wait_for_sent(1, chat_id=3003)

        def menu(chat_id: int) -> set[str]:
            scope = {"type": "chat", "chat_id": chat_id}
            return {c["command"] for c in fake.commands_for(scope)}

        await fake.wait_until(lambda: bool(menu(MENTEE)) and bool(menu(3003)))
        assert {"checkin", "find", "help"} <= menu(MENTEE)
        assert not {"invite", "report", "meet"} & menu(MENTEE)
        assert {"invite", "meet", "help"} <= menu(MENTOR)
        assert "report" not in menu(MENTOR)
        assert {"report", "invite"} <= menu(3003)


async def test_own_words_and_a_relapse_get_a_kind_reply_on_telegram(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        await join(fake)
        fake.user_message(MENTEE, "/cancel")
        await fake.wait_until(lambda: latest(fake, MENTEE).text == texts.PAUSED)
        before = len(fake.messages_to(MENTEE))
        fake.user_message(MENTEE, "I used again last night and I feel terrible")
        offer_text = texts.RELAPSE_OFFER.format(name="Alex")
        await fake.wait_until(lambda: latest(fake, MENTEE).text == offer_text)
        said = [m.text for m in fake.messages_to(MENTEE)[before:]]
        assert said == [texts.RELAPSE_REPLY, texts.RELAPSE_FACTS, offer_text]
        offer = latest(fake, MENTEE)
        assert offer.button_labels == ["Yes, tell Alex", texts.RELAPSE_DONT_TELL]
        fake.user_presses(MENTEE, offer.message_id, offer.data_for("Yes, tell Alex"))
        notice = texts.NOTICE_RELAPSE.format(name="Sam")
        await fake.wait_until(lambda: latest(fake, MENTOR).text == notice)
        await fake.wait_until(
            lambda: latest(fake, MENTEE).text == texts.RELAPSE_TOLD.format(name="Alex")
        )

        words = "Can we talk about my housing when we meet"
        fake.user_message(MENTEE, words)
        await fake.wait_until(lambda: (latest(fake, MENTEE).text or "").startswith(texts.FREE_ACK))
        ack = latest(fake, MENTEE)
        assert ack.button_labels == ["Send it to Alex", texts.FREE_FIND, texts.FREE_CARRY_ON]
        fake.user_presses(MENTEE, ack.message_id, ack.data_for("Send it to Alex"))
        shown = texts.FREE_SHOW_BACK.format(name="Alex", text=words)
        await fake.wait_until(lambda: latest(fake, MENTEE).text == shown)
        assert not any((m.text or "").endswith(words) for m in fake.messages_to(MENTOR))
        confirm = latest(fake, MENTEE)
        fake.user_presses(MENTEE, confirm.message_id, confirm.data_for(texts.FREE_SEND))
        relayed = f"Message from Sam: {words}"
        await fake.wait_until(lambda: latest(fake, MENTOR).text == relayed)

        fake.user_message(MENTEE, "/find")
        await fake.wait_until(lambda: latest(fake, MENTEE).text == texts.FIND_WHICH)
        before = len(fake.messages_to(MENTEE))
        fake.user_message(MENTEE, "had a slip at the weekend")
        await fake.wait_until(lambda: len(fake.messages_to(MENTEE)) >= before + 4)
        said = [m.text for m in fake.messages_to(MENTEE)[before:]]
        assert said == [texts.RELAPSE_REPLY, texts.RELAPSE_FACTS, offer_text, texts.FIND_WHICH]
