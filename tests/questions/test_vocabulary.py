"""The vocabulary, as tables: what each kind of question understands, and what it must not read.

These tables are the documentation of what people may type (docs/vocabulary.md shows the
same forms in prose). A row that stops passing means a word that worked stops working
somewhere, so change a row only on purpose. Dates are read on Monday 7 December 2026.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest

from bot.questions.vocabulary import (
    PARTS_OF_DAY,
    Control,
    closest,
    fold,
    read_choice,
    read_control,
    read_date,
    read_day,
    read_time,
    read_weekday,
    read_yes_no,
)

TODAY = date(2026, 12, 7)  # a Monday
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

CONTROLS = [
    ("skip", Control.SKIP),
    ("Skip", Control.SKIP),
    ("skip it", Control.SKIP),
    ("skip this", Control.SKIP),
    ("Skip this question", Control.SKIP),
    ("skip question", Control.SKIP),
    ("skip please", Control.SKIP),
    ("next", Control.SKIP),
    ("next question", Control.SKIP),
    ("pass", Control.SKIP),
    ("don't know", Control.SKIP),
    ("I don't know", Control.SKIP),
    ("idk", Control.SKIP),
    ("dunno", Control.SKIP),
    ("back", Control.BACK),
    ("Back!", Control.BACK),
    ("go back", Control.BACK),
    ("can I go back please", Control.BACK),
    ("previous", Control.BACK),
    ("undo", Control.BACK),
    ("last question", Control.BACK),
    ("change my answer", Control.BACK),
    ("prefer not to say", Control.PREFER_NOT),
    ("I'd prefer not to say", Control.PREFER_NOT),
    ("rather not say", Control.PREFER_NOT),
    ("I'd rather not", Control.PREFER_NOT),
    ("private", Control.PREFER_NOT),
    ("no comment", Control.PREFER_NOT),
    ("stop", Control.STOP),
    ("STOP", Control.STOP),
    ("Stop.", Control.STOP),
    ("stop all", Control.STOP),
    ("unsubscribe", Control.STOP),
    ("end", Control.STOP),
    ("quit", Control.STOP),
    ("help", Control.HELP),
    ("help me", Control.HELP),
    ("Help please", Control.HELP),
    ("?", Control.HELP),
    ("??", Control.HELP),
    ("info", Control.HELP),
]

YES_NO = [
    *[(word, True) for word in ("yes", "Yes", "YES!!!", "y", "Y", "yeah", "yep", "yup", "ya")],
    *[(word, True) for word in ("aye", "sure", "ok", "okay", "OK!", "alright", "all right")],
    *[(word, True) for word in ("yes please", "Yes please!", "yes thanks", "yeah sure")],
    *[(word, True) for word in ("defo", "definitely", "of course", "go on", "I agree")],
    *[(word, True) for word in ("yess", "yesss", "yse", "ys", "yea", "ye", "yeh", "yeahhh")],
    *[(word, True) for word in ("definately", "alrite", "okk", "yes x", "i think so")],
    ("\U0001f44d", True),  # thumbs up
    ("\U0001f44d\U0001f3fd", True),  # thumbs up with a skin tone
    ("yes \U0001f44d", True),
    ("\u2705", True),  # tick
    *[(word, False) for word in ("no", "No.", "NO", "n", "N", "nah", "nope", "naw", "na")],
    *[(word, False) for word in ("no thanks", "no thank you", "No thanks!", "not really")],
    *[(word, False) for word in ("noo", "nooooo", "nop", "nah thanks", "no way", "never")],
    *[(word, False) for word in ("I don't think so", "not now", "no x", "I don't agree")],
    ("\U0001f44e", False),  # thumbs down
    ("no \U0001f44e", False),
]

CONFIRM, CANT, ANOTHER = 0, 1, 2
MEETING = ("Confirm meeting", "I can't make it", "Ask for another time")
CONSENT = ("Yes, I agree", "No, I do not agree")
TIMES_OF_DAY = ("Morning (10:00)", "Afternoon (14:00)", "Evening (18:00)")
SLOTS = ("Mon 14 Dec", "Tue 15 Dec", "Wed 16 Dec", "Other day")
CHOICES = [
    (MEETING, "1", CONFIRM),
    (MEETING, "2", CANT),
    (MEETING, " 3 ", ANOTHER),
    (MEETING, "2.", CANT),
    (MEETING, "#2", CANT),
    (MEETING, "(2)", CANT),
    (MEETING, "2)", CANT),
    (MEETING, "number 2", CANT),
    (MEETING, "Number 2 please", CANT),
    (MEETING, "option 3", ANOTHER),
    (MEETING, "02", CANT),
    (MEETING, "2\ufe0f\u20e3", CANT),  # keycap emoji
    (MEETING, "\uff12", CANT),  # full-width digit
    (MEETING, "the second one", CANT),
    (MEETING, "first", CONFIRM),
    (MEETING, "three", ANOTHER),
    (MEETING, "Confirm meeting", CONFIRM),
    (MEETING, "CONFIRM MEETING!", CONFIRM),
    (MEETING, "confirm meeting \U0001f44d", CONFIRM),
    (MEETING, "confirm", CONFIRM),
    (MEETING, "Confirm please", CONFIRM),
    (MEETING, "meeting", CONFIRM),
    (MEETING, "confrim", CONFIRM),
    (MEETING, "Confim meeting", CONFIRM),
    (MEETING, "confirmmeeting", CONFIRM),
    (MEETING, "I can't make it", CANT),
    (MEETING, "I cant make it", CANT),
    (MEETING, "cant make it", CANT),
    (MEETING, "can't make it", CANT),
    (MEETING, "I cannot make it", CANT),
    (MEETING, "cnat make it", CANT),
    (MEETING, "ask for another time", ANOTHER),
    (MEETING, "another time", ANOTHER),
    (MEETING, "Another time please", ANOTHER),
    (MEETING, "anotehr time", ANOTHER),
    (CONSENT, "Yes, I agree", 0),
    (CONSENT, "yes", 0),
    (CONSENT, "agree", 0),
    (CONSENT, "I agree", 0),
    (CONSENT, "agre", 0),
    (CONSENT, "no", 1),
    (CONSENT, "not agree", 1),
    (CONSENT, "I do not agree", 1),
    (CONSENT, "I don't agree", 1),
    (TIMES_OF_DAY, "evening", 2),
    (TIMES_OF_DAY, "Morning", 0),
    (TIMES_OF_DAY, "afternon", 1),
    (SLOTS, "Tue 15 Dec", 1),
    (SLOTS, "tue 15 dec", 1),
    (SLOTS, "other day", 3),
    (SLOTS, "other", 3),
    (SLOTS, "4", 3),
]

WEEKDAYS = [
    *[(word, MONDAY) for word in ("monday", "Monday", "MONDAY", "mon", "Mon.", "mondays")],
    *[(word, MONDAY) for word in ("on monday", "every monday", "on mondays", "mo", "mnday")],
    *[(word, TUESDAY) for word in ("tuesday", "tues", "tue", "tuesdays", "tuseday", "teusday")],
    *[(word, WEDNESDAY) for word in ("wednesday", "weds", "wed", "wensday", "wednsday")],
    *[(word, THURSDAY) for word in ("thursday", "thurs", "thur", "thu", "thrusday")],
    *[(word, FRIDAY) for word in ("friday", "fri", "fridays", "fryday")],
    *[(word, SATURDAY) for word in ("saturday", "sat", "satuday", "saturdays")],
    *[(word, SUNDAY) for word in ("sunday", "sun", "sundays", "every sun", "sundya")],
]

DEC_14 = date(2026, 12, 14)
DATES = [
    ("14/12", DEC_14),
    ("14/12/26", DEC_14),
    ("14/12/2026", DEC_14),
    ("14-12", DEC_14),
    ("14.12", DEC_14),
    ("14 / 12", DEC_14),
    ("14 Dec", DEC_14),
    ("14 dec", DEC_14),
    ("14 december", DEC_14),
    ("14th December", DEC_14),
    ("14th of December", DEC_14),
    ("the 14th of Dec", DEC_14),
    ("14 Dec 2026", DEC_14),
    ("Dec 14", DEC_14),
    ("December 14th", DEC_14),
    ("Dec 14, 2026", DEC_14),
    ("Mon 14 Dec", DEC_14),  # as the day buttons are labelled
    ("Monday 14th December", DEC_14),
    ("2026-12-14", DEC_14),  # the value a day button carries
    ("14 decmber", DEC_14),
    ("the 14th", DEC_14),
    ("14th", DEC_14),
    ("7/12", TODAY),  # today is on or after today
    ("6/12", date(2027, 12, 6)),  # no year: the next one, which is next year
    ("3/1", date(2027, 1, 3)),
    ("3 Jan", date(2027, 1, 3)),
    ("1st Feb", date(2027, 2, 1)),
    ("sept 9", date(2027, 9, 9)),
    ("febuary 2", date(2027, 2, 2)),
    ("5/12/2026", date(2026, 12, 5)),  # a year typed is kept, even a past one
    ("14/12/27", date(2027, 12, 14)),
]

DAYS = [
    ("today", TODAY),
    ("Today!", TODAY),
    ("tonight", TODAY),
    ("this evening", TODAY),
    ("tomorrow", date(2026, 12, 8)),
    ("Tomorrow please", date(2026, 12, 8)),
    ("tmrw", date(2026, 12, 8)),
    ("tmr", date(2026, 12, 8)),
    ("tmoz", date(2026, 12, 8)),
    ("2moro", date(2026, 12, 8)),
    ("tomorow", date(2026, 12, 8)),
    ("tommorow", date(2026, 12, 8)),
    ("tommorrow", date(2026, 12, 8)),
    ("day after tomorrow", date(2026, 12, 9)),
    ("monday", date(2026, 12, 14)),  # today is a Monday: "monday" means a week on
    ("next monday", date(2026, 12, 14)),
    ("this monday", TODAY),
    ("tuesday", date(2026, 12, 8)),
    ("tue", date(2026, 12, 8)),
    ("next tue", date(2026, 12, 8)),
    ("on weds", date(2026, 12, 9)),
    ("this friday", date(2026, 12, 11)),
    ("Friday", date(2026, 12, 11)),
    ("sunday", date(2026, 12, 13)),
    ("thrusday", date(2026, 12, 10)),
    ("14/12", DEC_14),
    ("on 14 Dec", DEC_14),
    ("Mon 14 Dec", DEC_14),
    ("2026-12-14", DEC_14),
]

TIMES = [
    ("7pm", time(19)),
    ("7 pm", time(19)),
    ("7PM", time(19)),
    ("7p.m.", time(19)),
    ("7 p.m.", time(19)),
    ("at 7pm", time(19)),
    ("7pm please", time(19)),
    ("7am", time(7)),
    ("7a.m.", time(7)),
    ("12pm", time(12)),
    ("12am", time(0)),
    ("19:00", time(19)),
    ("19.00", time(19)),
    ("1900", time(19)),
    ("0930", time(9, 30)),
    ("09:30", time(9, 30)),
    ("9:30", time(9, 30)),  # a colon is read as a 24-hour clock
    ("9.30", time(9, 30)),
    ("7.30pm", time(19, 30)),
    ("7:30pm", time(19, 30)),
    ("7:30 pm", time(19, 30)),
    ("10:15am", time(10, 15)),
    ("noon", time(12)),
    ("midday", time(12)),
    ("Midday!", time(12)),
    ("midnight", time(0)),
    ("7 o'clock", time(19)),
    ("7 oclock", time(19)),
    ("7ish", time(19)),
    ("half 7", time(19, 30)),
    ("half past 7", time(19, 30)),
    ("quarter past 10", time(10, 15)),
    ("quarter to 8", time(19, 45)),
    ("7 in the morning", time(7)),
    ("7 in the evening", time(19)),
    ("10 at night", time(22)),
    # A bare hour: 8 to 11 in the morning, 12 noon, 1 to 7 afternoon or evening, 13 to 23 as is.
    ("8", time(8)),
    ("11", time(11)),
    ("12", time(12)),
    ("1", time(13)),
    ("2", time(14)),
    ("7", time(19)),
    ("15", time(15)),
    ("23", time(23)),
    # Parts of the day, as stated in PARTS_OF_DAY.
    ("morning", time(10)),
    ("Morning", time(10)),
    ("in the morning", time(10)),
    ("the morning", time(10)),
    ("mornings", time(10)),
    ("mornin", time(10)),
    ("moring", time(10)),
    ("afternoon", time(14)),
    ("in the afternoon", time(14)),
    ("afternon", time(14)),
    ("evening", time(18)),
    ("in the evening", time(18)),
    ("this evening", time(18)),
    ("evenings", time(18)),
    ("evning", time(18)),
]

# Forms that must not be read: negations, hedges, contradictions, ambiguity and impossibilities.
# Each of these is asked again rather than guessed.
NOT_READ: list[tuple[str, Callable[[str], object]]] = [
    *[(text, read_control) for text in ("stop it", "please stop", "stop texting me")],
    *[(text, read_control) for text in ("skip to the end", "not sure", "yes", "next week")],
    *[(text, read_control) for text in ("backwards", "I need help with my rent", "2")],
    *[(text, read_yes_no) for text in ("", "   ", "maybe", "Maybe yes", "yes and no")],
    *[(text, read_yes_no) for text in ("yes no", "yeah nah", "not sure", "I'm not sure")],
    *[(text, read_yes_no) for text in ("dont know", "idk", "no idea", "perhaps", "kind of")],
    *[(text, read_yes_no) for text in ("not yes", "of course not", "sure not", "yes but")],
    *[(text, read_yes_no) for text in ("yet", "year", "sore", "note", "on", "now", "stop")],
    *[(text, read_yes_no) for text in ("\U0001f44d\U0001f44e", "yes, I used again")],
    *[(text, read_yes_no) for text in ("I'm fine", "fine", "what", "not agree", "x")],
    *[(text, read_yes_no) for text in ("yes " * 13,)],
    *[(text, lambda t: read_choice(t, MEETING)) for text in ("", "0", "4", "-1", "2.5")],
    *[(text, lambda t: read_choice(t, MEETING)) for text in ("it", "I", "make it", "time x")],
    *[(text, lambda t: read_choice(t, MEETING)) for text in ("dont confirm", "not confirm")],
    *[(text, lambda t: read_choice(t, MEETING)) for text in ("yes", "maybe", "no 2", "fourth")],
    *[(text, lambda t: read_choice(t, CONSENT)) for text in ("i", "maybe", "yes no")],
    *[(text, lambda t: read_choice(t, SLOTS)) for text in ("Thu 17 Dec", "Mon 15 Dec", "dec")],
    *[(text, lambda t: read_choice(t, ("Other day", "Other time"))) for text in ("other",)],
    *[(text, read_weekday) for text in ("", "day", "t", "tu", "monday tuesday", "weekend")],
    *[(text, read_weekday) for text in ("tomorrow", "14/12", "not monday", "mon-fri", "munday")],
    *[(text, lambda t: read_date(t, TODAY)) for text in ("31/2", "30/2", "32/12", "14/13")],
    *[(text, lambda t: read_date(t, TODAY)) for text in ("0/12", "14", "12", "14 decade")],
    *[(text, lambda t: read_date(t, TODAY)) for text in ("Tue 14 Dec", "29/2", "14/12/126")],
    *[(text, lambda t: read_date(t, TODAY)) for text in ("tomorrow", "next week", "dec")],
    *[(text, lambda t: read_day(t, TODAY)) for text in ("", "next week", "yesterday")],
    *[(text, lambda t: read_day(t, TODAY)) for text in ("soon", "whenever", "next")],
    *[(text, lambda t: read_day(t, TODAY)) for text in ("not monday", "monday or tuesday")],
    *[(text, read_time) for text in ("", "25:00", "24:00", "13pm", "0pm", "0", "7:60")],
    *[(text, read_time) for text in ("24", "99", "7pm in the morning", "19:5", "12345")],
    *[(text, read_time) for text in ("soon", "later", "night", "anytime", "7 or 8")],
    *[(text, read_time) for text in ("2.5", "-7", "7-8pm", "tomorrow", "morning or evening")],
]


@pytest.mark.parametrize(("text", "expected"), CONTROLS)
def test_control_words(text: str, expected: Control) -> None:
    assert read_control(text) is expected


@pytest.mark.parametrize(("text", "expected"), YES_NO)
def test_yes_and_no(text: str, expected: bool) -> None:
    assert read_yes_no(text) is expected


@pytest.mark.parametrize(("labels", "text", "expected"), CHOICES)
def test_choices(labels: tuple[str, ...], text: str, expected: int) -> None:
    assert read_choice(text, labels) == expected


@pytest.mark.parametrize(("text", "expected"), WEEKDAYS)
def test_weekdays(text: str, expected: int) -> None:
    assert read_weekday(text) == expected


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_dates(text: str, expected: date) -> None:
    assert read_date(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), DAYS)
def test_days(text: str, expected: date) -> None:
    assert read_day(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), TIMES)
def test_times(text: str, expected: time) -> None:
    assert read_time(text) == expected


@pytest.mark.parametrize(("text", "reader"), NOT_READ)
def test_forms_that_are_not_read(text: str, reader: Callable[[str], object]) -> None:
    assert reader(text) is None


def test_a_caller_may_read_a_recent_date_as_a_slip_rather_than_next_year() -> None:
    assert read_date("6/12", TODAY) == date(2027, 12, 6)
    assert read_date("6/12", TODAY, past_slip=timedelta(days=180)) == date(2026, 12, 6)
    assert read_day("6 Dec", TODAY, past_slip=timedelta(days=180)) == date(2026, 12, 6)
    assert read_date("5/6", TODAY, past_slip=timedelta(days=180)) == date(2027, 6, 5)
    assert read_day("monday", TODAY, past_slip=timedelta(days=180)) == date(2026, 12, 14)


def test_parts_of_the_day_are_stated_times_a_caller_may_change() -> None:
    assert {"morning": time(10), "afternoon": time(14), "evening": time(18)} == PARTS_OF_DAY
    early = {"morning": time(9), "evening": time(19), "lunchtime": time(13)}
    assert read_time("in the morning", early) == time(9)
    assert read_time("evening", early) == time(19)
    assert read_time("afternoon", early) is None  # not offered by this caller
    assert read_time("7pm", early) == time(19)


def test_fold_keeps_only_the_words() -> None:
    assert fold("  I CAN\u2019T   make it!! \U0001f622 ") == "i cant make it"
    assert fold("\uff11\uff12") == "12"  # full-width digits from some phone keyboards
    assert fold("Caf\u00e9?") == "caf\u00e9"


def test_a_slip_is_corrected_only_to_one_meaning() -> None:
    words = {"agree": 1, "agreed": 1, "disagree": 0}
    assert closest("agre", words) == 1  # "agree" and "agreed" are one meaning
    assert closest("disagre", words) == 0
    assert closest("sunday", {"monday": 0, "sunday": 6}) == 6
    assert closest("munday", {"monday": 0, "sunday": 6}) is None  # as near to both: a tie
    assert closest("on", {"no": 0}) is None  # two-letter words are never corrected
    assert closest("yet", {"yes": 1}) is None  # a letter changed in a short word
