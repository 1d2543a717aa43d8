"""Staff journeys through the dashboard in Chromium, each page checked by axe-core.

A mentor signs in from the bot's link, finds the mentee who needs them first, opens the record,
picks up the crisis alert, adds a note and signs out; the link then opens nothing, nor does an
expired or a forged one. A supervisor goes through every supervisor's page and downloads the
pseudonymous export.
"""

from __future__ import annotations

import asyncio
import re
import zipfile

from selenium.webdriver.common.by import By

from tests.conftest import FakeClock
from tests.flows.full_mentee import NAME, full_mentee
from tests.utils import Chat, joined_mentee
from tests.web.browser.conftest import Browser, Live, check_page
from tests.web.conftest import Sessions


async def link(chat: Chat) -> str:
    [reply] = await chat.send("/web")
    found = re.search(r"http://127\.0\.0\.1:\d+/staff/login/\S+", reply.text)
    assert found is not None, reply.text
    return found.group(0)


async def caseload_of_three(live: Live, sessions: Sessions) -> tuple[Chat, Chat]:
    """Alex mentors Zephyrine (who has one of everything, and an alert) and two more."""
    built = await full_mentee(live.bot, sessions)
    from sqlalchemy import select

    from bot.storage.models import Person, Role

    async with sessions() as session:
        alex = (
            await session.execute(select(Person).where(Person.display_name == "Alex"))
        ).scalar_one()
        assert alex.role is Role.MENTOR
    for name, phone in (("Robin", "+447700900601"), ("Casey", "+447700900602")):
        await (await joined_mentee(live.bot, sessions, alex, name=name, phone=phone)).send(
            "/cancel"
        )
    supervisor = Chat(
        live.bot,
        sender=built.mentor.sender.__class__(built.mentor.sender.channel, "+447700900003"),
    )
    return built.mentor, supervisor


def text_of(browser: Browser) -> str:
    return str(browser.driver.find_element(By.TAG_NAME, "main").text)


async def wait_for(browser: Browser, words: str) -> None:
    for _ in range(100):
        if words in browser.driver.page_source:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{words!r} not on {browser.driver.current_url}")


async def test_a_mentor_signs_in_picks_up_an_alert_adds_a_note_and_signs_out(
    browser: Browser, live: Live, session_factory: Sessions, clock: FakeClock
) -> None:
    mentor, _ = await caseload_of_three(live, session_factory)
    driver = browser.driver
    sign_in = await link(mentor)
    driver.get(sign_in)  # the page's script posts its form: straight to the caseload
    await wait_for(browser, "Your caseload")
    cards = driver.find_elements(By.CSS_SELECTOR, ".card h2")
    assert cards[0].text == NAME  # the crisis alert puts Zephyrine first
    check_page(driver, "caseload")
    driver.find_element(By.LINK_TEXT, NAME).click()
    await wait_for(browser, "Crisis alerts not picked up")
    check_page(driver, "record")
    driver.find_element(By.XPATH, "//button[text()='I am on it']").click()
    await wait_for(browser, "It is noted that you are on this crisis alert")
    driver.find_element(By.ID, "note").send_keys("Walk to the park on Friday")
    driver.find_element(By.XPATH, "//button[text()='Save note']").click()
    await wait_for(browser, "Note saved.")
    assert "Walk to the park on Friday" in text_of(browser)
    driver.find_element(By.XPATH, "//button[text()='Sign out']").click()
    await wait_for(browser, "You are signed out")
    check_page(driver, "signed-out")
    driver.get(live.url + "/staff/")
    await wait_for(browser, "To sign in, send /web")
    check_page(driver, "sign-in")
    driver.get(sign_in)  # used
    await wait_for(browser, "This sign-in link cannot be used")
    check_page(driver, "link-refused")
    late = await link(mentor)
    clock.advance(minutes=10)
    driver.get(late)  # expired
    await wait_for(browser, "This sign-in link cannot be used")
    driver.get(live.url + "/staff/login/" + "x" * 43)  # forged
    await wait_for(browser, "This sign-in link cannot be used")
    driver.get(live.url + "/staff/")
    await wait_for(browser, "To sign in, send /web")


async def test_a_supervisor_goes_through_every_page_and_downloads_the_export(
    browser: Browser, live: Live, session_factory: Sessions
) -> None:
    _, supervisor = await caseload_of_three(live, session_factory)
    driver = browser.driver
    driver.delete_all_cookies()
    driver.get(await link(supervisor))
    await wait_for(browser, "Every mentee")
    pages = {
        "caseloads": ("/staff/caseloads", "Assign or reassign"),
        "supervision": ("/staff/supervision", "Record a supervision"),
        "report": ("/staff/report", "Before and after"),
        "compare": ("/staff/report/compare", "Groups to compare"),
        "directory": ("/staff/directory", "Add an entry"),
        "directory-new": ("/staff/directory/new", "Checked by the same rules"),
        "audit": ("/staff/audit", "Never what they saw"),
        "export": ("/staff/export", "Download pseudonymous export"),
    }
    for name, (path, words) in pages.items():
        driver.get(live.url + path)
        await wait_for(browser, words)
        check_page(driver, name)
        if name == "directory":
            driver.find_elements(By.PARTIAL_LINK_TEXT, "Edit ")[0].click()
            await wait_for(browser, "Saving marks the entry as checked today")
            check_page(driver, "directory-edit")
    driver.find_element(By.XPATH, "//button[text()='Download pseudonymous export']").click()
    for _ in range(200):
        done = [p for p in browser.downloads.glob("*.zip") if "identified" not in p.name]
        if done:
            break
        await asyncio.sleep(0.05)
    assert done, list(browser.downloads.iterdir())
    with zipfile.ZipFile(done[0]) as archive:
        assert archive.namelist() and NAME not in archive.read(archive.namelist()[0]).decode()
