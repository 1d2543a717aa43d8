"""Web security of the dashboard: headers, no inline script, opaque ids, clean access logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx

from bot.service import MentorService
from bot.web import security
from bot.web.security import AccessLogRedaction, OpaqueIds
from tests.flows.full_mentee import NAME, PHONE, full_mentee
from tests.web.conftest import Sessions, link_from_bot, sign_in

TEMPLATES = Path(security.__file__).parent / "templates"
LINKS = re.compile(r'(?:href|src|action)="([^"]+)"')


async def test_every_page_has_the_security_headers(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    mentee = await full_mentee(web_service, session_factory)
    path = await link_from_bot(mentee.mentor)
    pages = [await web.get("/staff/signin"), await web.get(path), await web.get("/staff/x")]
    pages.append(await sign_in(web, mentee.mentor))
    for page in pages:
        headers = page.headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
        assert headers["x-content-type-options"] == "nosniff"


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert "<style" not in text and " style=" not in text, template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", text, re.S | re.I):
            assert 'name="csrf"' in form, template.name  # a CSRF token on every form


async def test_urls_name_nobody_and_carry_no_phone_number(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    mentee = await full_mentee(web_service, session_factory)
    caseload = await sign_in(web, mentee.mentor)
    urls = LINKS.findall(caseload.text)
    record = next(url for url in urls if url.startswith("/staff/mentees/"))
    page = await web.get(record)
    urls += LINKS.findall(page.text)
    assert len(urls) > 10
    for url in urls:
        assert NAME not in url and "7700" not in url and PHONE not in url, url


def test_opaque_ids_decode_only_what_they_encoded() -> None:
    ids = OpaqueIds()
    made = ids.encode("mentee", 42)
    assert len(made) == 22 and "42" not in made
    assert ids.decode("mentee", made) == 42
    assert ids.decode("meeting", made) is None  # a mentee's id is no meeting's
    assert ids.decode("mentee", made[:-1] + ("A" if made[-1] != "A" else "B")) is None
    for forged in ("", "42", "x" * 22, "%%%", "A" * 40):
        assert ids.decode("mentee", forged) is None
    assert OpaqueIds(b"k" * 32).encode("mentee", 42) != made  # another key, other ids


def test_the_access_log_keeps_no_token_and_no_address_for_staff_pages() -> None:
    def line(*args: object) -> str:
        record = logging.LogRecord(
            "uvicorn.access", 20, "", 0, '%s - "%s %s HTTP/%s" %d', args, None
        )
        AccessLogRedaction().filter(record)
        return record.getMessage()

    token = "Zq3-secret-token"
    signed = line("203.0.113.9:5000", "GET", f"/staff/login/{token}", "1.1", 200)
    assert token not in signed and "203.0.113.9" not in signed
    assert "/staff/login/..." in signed
    report = line("203.0.113.9:5000", "GET", "/staff/report?site=hub", "1.1", 200)
    assert report == '- - "GET /staff/report HTTP/1.1" 200'
    other = line("203.0.113.9:5000", "POST", "/telegram/webhook", "1.1", 200)
    assert "203.0.113.9" in other  # not a staff page: left as uvicorn wrote it
