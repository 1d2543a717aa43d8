"""One vocabulary for what people type, shared by every question and every channel.

Mentees answer on cheap phones, by SMS as well as Telegram: "7pm", "tmrw", "yse", "next tue",
"confrim". When each flow read its own words, "morning" worked in one place and not the next.
These pure functions are the one reading of each kind of answer, so a word that works once
works everywhere. Tolerant of form, never of meaning: a reply is read only when everything in
it points at one value. A hedge ("maybe"), a negation ("not agree") or a contradiction ("yes
and no") gives None and the caller asks again; a wrong guess costs a vulnerable person more
than one more question. docs/vocabulary.md lists the forms with worked examples.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, time, timedelta
from enum import StrEnum
from typing import TypeVar

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Indel

T = TypeVar("T")

# ---------------------------------------------------------------- words and slips


def fold(text: str) -> str:
    """The words of a reply, as comparable text: no case, apostrophes, emoji or punctuation."""
    lowered = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    return " ".join("".join(ch if ch.isalnum() else " " for ch in lowered).split())


_APOSTROPHES = re.compile(r"['\u2018\u2019\u201b`\u00b4\u02bc]")
_REPEATS = re.compile(r"(.)\1+")
# Contractions typed without apostrophes, and their long forms, read as one word.
# Labels are compared with contractions spelt out, so "not" is one word however it is typed.
_SHORT_FORMS = {
    **{"cant": "can not", "cannot": "can not", "dont": "do not", "wont": "will not"},
    **{"isnt": "is not", "didnt": "did not", "doesnt": "does not", "im": "i am"},
}
_SHORT_FORM = re.compile(rf"\b(?:{'|'.join(_SHORT_FORMS)})\b")


def _within_slip(typed: str, known: str) -> bool:
    """Whether `typed` is a small slip of the word `known`, counted in edits, not percent.

    A percent cutoff is too loose for short words or too strict for long ones. Words of one or
    two letters are never corrected to ("on" is not "no"). Words of three or four letters allow
    one letter left out or two swapped, never one changed or added ("ys" and "yse" are "yes";
    "yet", "sore" and "year" are not "yes", "sure" and "yea"). Five to seven letters allow one
    edit ("agre"), longer words two ("wensday").
    """
    if not (typed.isalpha() and known.isalpha()) or len(known) <= 2 or len(typed) <= 1:
        return False
    if len(known) <= 4:
        swapped = OSA.distance(typed, known) == 1 and sorted(typed) == sorted(known)
        return swapped or (len(typed) == len(known) - 1 and Indel.distance(typed, known) == 1)
    return OSA.distance(typed, known) <= (1 if len(known) <= 7 else 2)


def closest(typed: str, known: Mapping[str, T]) -> T | None:
    """The value of the known word `typed` is, or is a unique nearest slip of; None on a tie.

    "Unique" is by value: two nearest words that mean the same thing are no tie.
    """
    if typed in known:
        return known[typed]
    collapsed = _REPEATS.sub(r"\1", typed)  # "yesss", "noooo", "okkk"
    if collapsed in known:
        return known[collapsed]
    near = [
        (OSA.distance(typed, word), value)
        for word, value in known.items()
        if _within_slip(typed, word)
    ]
    if not near:
        return None
    best = min(distance for distance, _ in near)
    values = {value for distance, value in near if distance == best}
    return values.pop() if len(values) == 1 else None


def correct(words: Sequence[str], known: Mapping[str, str]) -> list[str]:
    """Each word as typed if known, else what it is a unique slip of, else as typed."""
    return [word if word in known else closest(word, known) or word for word in words]


def _spelt_out(text: str) -> str:
    return _SHORT_FORM.sub(lambda short: _SHORT_FORMS[short[0]], text)


# ---------------------------------------------------------------- controls


class Control(StrEnum):
    """Words that steer a conversation rather than answer it."""

    SKIP = "skip"
    BACK = "back"
    PREFER_NOT = "prefer_not"
    STOP = "stop"
    HELP = "help"


def _listed(phrases: str) -> tuple[str, ...]:
    """The comma-separated phrases of a table below, so each table reads as one paragraph."""
    return tuple(" ".join(phrase.split()) for phrase in phrases.split(","))


# "Don't know" is a skip: in a questionnaire it is no answer, stored as missing, never a guess
# at the middle of the scale. "Not sure" is not: on some scales ("Not sure") it is an answer.
_CONTROLS: dict[str, Control] = {
    **dict.fromkeys(
        _listed("""skip, skip it, skip this, skip this one, skip question, skip this question,
        next, next question, next one, pass, dont know, i dont know, idk, dunno, no idea"""),
        Control.SKIP,
    ),
    **dict.fromkeys(
        _listed("""back, go back, back one, previous, previous question, undo, last question,
        change my answer, change answer"""),
        Control.BACK,
    ),
    **dict.fromkeys(
        _listed("""prefer not to say, prefer not, prefer not to answer, id prefer not to say,
        id prefer not, rather not say, rather not, id rather not, id rather not say,
        id rather not answer, private, no comment, not saying"""),
        Control.PREFER_NOT,
    ),
    **dict.fromkeys(_listed("help, help me, info, what can i type"), Control.HELP),
}
# STOP is the SMS opt-out word: a carrier acts on the bare word, so only bare forms count here
# and "stop it" or "please stop" are left to be read as what they are.
_STOP = frozenset({"stop", "stop all", "stopall", "unsubscribe", "end", "quit"})
_POLITE = re.compile(
    r"^(?:(?:please|pls|can i|can we|i want to|id like to|lets) )*(.*?)"
    r"(?: (?:please|pls|plz|thanks|thank you|thx|ta))*$"
)


def read_control(text: str) -> Control | None:
    """The control word the reply is, with "please" and the like around it; None otherwise."""
    if text.strip() and set(text.strip()) <= {"?"}:
        return Control.HELP
    words = fold(text)
    if words in _STOP:
        return Control.STOP
    match = _POLITE.match(words)
    return _CONTROLS.get(match[1] if match else words)


# ---------------------------------------------------------------- yes and no

_YES_WORDS = _listed("""yes, y, yeah, yea, yeh, ye, yep, yup, ya, yah, yas, aye, sure, ok, okay,
    okey, k, alright, all right, alrite, defo, deffo, def, definitely, absolutely, certainly,
    of course, ofc, course, go on, go ahead, go for it, please do, i do, yes i do, i will, agree,
    i agree, agreed, correct, thats right, sounds good, i think so, yes please""")
_NO_WORDS = _listed("""no, n, nah, nope, naw, na, nay, nop, not really, not now, not yet,
    not at all, no way, no chance, never, negative, dont, i dont, no i dont, i wont, disagree,
    i disagree, dont agree, i dont agree, i dont think so, rather not, id rather not, do not,
    i do not, i do not agree, do not agree, i do not think so, i will not,
    not for me, no thanks""")
# A hedge anywhere makes the reply no answer: "maybe yes" is not yes.
_HEDGES = _listed("""maybe, perhaps, possibly, probably, not sure, unsure, dont know,
    i dont know, idk, dunno, no idea, kind of, kinda, sort of, sorta, might, depends,
    it depends, either, whatever, yes and no, not really sure""")
_FILLERS = _listed("""please, pls, plz, thanks, thank you, thankyou, thx, ta, cheers, mate, i,
    im, um, umm, erm, er, hmm, well, oh, so, just, then, x, lol, haha, i think, i mean""")
_YES_NO: dict[tuple[str, ...], bool | None] = {
    **{tuple(p.split()): True for p in _YES_WORDS},
    **{tuple(p.split()): False for p in _NO_WORDS},
    **{tuple(p.split()): None for p in _HEDGES},
}
_YES_NO_FILLERS = frozenset(tuple(p.split()) for p in _FILLERS)
# A slip is corrected to a word of a phrase, or to what a one-word phrase means ("ys" is a
# slip of "yes" and of "yas": one meaning, so no tie).
_YES_NO_WORDS = {
    **{w: w for p in (*_YES_NO, *_YES_NO_FILLERS) for w in p},
    **{
        p[0]: {True: "yes", False: "no", None: "maybe"}[v]
        for p, v in _YES_NO.items()
        if len(p) == 1
    },
}
_YES_EMOJI = re.compile("[\U0001f44d\U0001f44c\u2705\u2714\u2611]")  # thumbs up, OK, ticks
_NO_EMOJI = re.compile("[\U0001f44e\u274c\u274e\u2716\U0001f6ab]")  # thumbs down, crosses
MAX_ANSWER_WORDS = 12  # a longer reply is a message, not an answer


def read_yes_no(text: str) -> bool | None:
    """True for yes, False for no; None when it is neither, both, or hedged."""
    text = _NO_EMOJI.sub(" no ", _YES_EMOJI.sub(" yes ", text))
    words = correct(fold(text).split(), _YES_NO_WORDS)
    if not words or len(words) > MAX_ANSWER_WORDS:
        return None
    values: list[bool | None] = []
    position = 0
    while position < len(words):
        for length in range(len(words) - position, 0, -1):
            phrase = tuple(words[position : position + length])
            if phrase in _YES_NO:
                values.append(_YES_NO[phrase])
                break
            if phrase in _YES_NO_FILLERS:
                break
        else:
            return None  # a word that is not yes, no or filler: not ours to read
        position += length
    return values[0] if len(set(values)) == 1 else None


# ---------------------------------------------------------------- choices

_NUMBER = re.compile(r"(?:#|(?:number|num|option|choice) ?#?)? ?\(?0*(\d{1,2}) ?[.)]?")
_KEYCAP = re.compile("[\ufe0f\u20e3]")
_NUMBER_WORDS = {
    word: n
    for n, pair in enumerate(
        _listed("""one first, two second, three third, four fourth, five fifth, six sixth,
        seven seventh, eight eighth, nine ninth, ten tenth"""),
        start=1,
    )
    for word in pair.split()
}
_NEGATIONS = frozenset({"not", "no", "never", "nor", "neither"})
# Words too plain to pick a label on their own ("it" must not pick "I can't make it").
_PLAIN_WORDS = frozenset(
    _listed("i, it, a, an, the, to, for, of, my, me, you, is, at, on, in, and, or, be, do")
)
_POLITE_WORDS = frozenset(_listed("please, pls, plz, thanks, thank, thx, ta, cheers, ok, okay"))
_POLITE_AROUND = re.compile(r"\b(?:please|pls|plz|thanks|thank you|thx|ta|cheers|ok|okay)\b")
# Rapidfuzz's ratio is 2 x matching characters / both lengths: 85 lets one slip in about every
# seven letters ("Confirmmeeting", "Confim meeting") and no more, and only one label may reach it.
WHOLE_CUTOFF = 85


def read_choice(text: str, labels: Sequence[str]) -> int | None:
    """The 0-based index of the label the reply picks, by number, words or a small slip."""
    folded = [_spelt_out(fold(label)) for label in labels]
    typed = _spelt_out(fold(text))
    if not typed:
        return None
    exact = [n for n, label in enumerate(folded) if label == typed]
    if exact:
        return exact[0] if len(exact) == 1 else None
    raw = _KEYCAP.sub("", unicodedata.normalize("NFKC", text).casefold())
    raw = _POLITE_AROUND.sub("", raw).strip(" ,!")
    number = _NUMBER.fullmatch(raw)
    if number is not None:
        index = int(number[1]) - 1
        return index if 0 <= index < len(labels) else None
    label_words = {word for label in folded for word in label.split()}
    words = [w for w in fold(text).split() if w not in _POLITE_WORDS or w in label_words]
    known = {word: word for word in (*label_words, *_SHORT_FORMS)}
    words = _spelt_out(" ".join(correct(words, known))).split()
    picked = _by_words(words, folded)
    if picked is not None:
        return picked
    ordinal = _ordinal(words)
    if ordinal is not None:
        return ordinal - 1 if 0 < ordinal <= len(labels) else None
    return _by_whole(" ".join(words), folded)


def _by_words(words: list[str], labels: list[str]) -> int | None:
    """The one label holding every typed word, and a negation only if the person typed one.

    So "confirm" picks "Confirm meeting", "agree" picks "I agree" over "I do not agree", "not
    agree" the other, and "dont confirm" nothing. Plain words alone ("it") pick nothing.
    """
    typed = set(words)
    if not typed or typed <= _PLAIN_WORDS:
        return None
    holding = [
        n
        for n, label in enumerate(labels)
        if typed <= set(label.split())
        and (typed & _NEGATIONS or not _NEGATIONS & set(label.split()))
    ]
    return holding[0] if len(holding) == 1 else None


def _ordinal(words: list[str]) -> int | None:
    """1 for "one", "first", "the first one"; None for anything else."""
    rest = [w for w in words if w not in ("the", "number", "option")]
    if len(rest) == 2 and rest[1] == "one":
        rest = rest[:1]
    return _NUMBER_WORDS.get(rest[0]) if len(rest) == 1 else None


def _by_whole(typed: str, labels: list[str]) -> int | None:
    """The one label the whole reply is a near spelling of; digits must match exactly."""
    digits = re.findall(r"\d+", typed)
    near = [
        n
        for n, label in enumerate(labels)
        if re.findall(r"\d+", label) == digits and fuzz.ratio(typed, label) >= WHOLE_CUTOFF
    ]
    return near[0] if len(near) == 1 else None


# ---------------------------------------------------------------- days and dates

_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS: dict[str, int] = {
    **{name: n for n, name in enumerate(_WEEKDAY_NAMES)},
    **{name[:3]: n for n, name in enumerate(_WEEKDAY_NAMES)},
    **{"tues": 1, "weds": 2, "wednes": 2, "thur": 3, "thurs": 3, "thr": 3},
}
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")  # fmt: skip
_MONTHS: dict[str, int] = {
    **{name: n for n, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: n for n, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_TOMORROW = frozenset(
    _listed("tomorrow, tmrw, tmr, tmrow, tmoz, tomoz, tomo, 2moro, 2morrow, 2mrw, tommorow")
)
_NO_SLIP = timedelta()
_TOMORROW_WORD = {"tomorrow": True}
_DAY_LEAD = frozenset({"on", "every", "each", "a"})
_NUMERIC_DATE = re.compile(r"(\d{1,2}) ?[/.-] ?(\d{1,2})(?: ?[/.-] ?(\d{2}|\d{4}))?")
_ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")


def read_weekday(text: str) -> int | None:
    """0 for Monday: "monday", "mon", "mondays", "on weds", "every thurs", "wensday"."""
    words = [w for w in fold(text).split() if w not in _DAY_LEAD and w not in _POLITE_WORDS]
    if len(words) != 1:
        return None
    word = words[0]
    if word not in _WEEKDAYS and word.endswith("s") and word[:-1] in _WEEKDAYS:
        word = word[:-1]  # "mondays", "fris"
    return closest(word, _WEEKDAYS)


def read_date(text: str, today: date, *, past_slip: timedelta = _NO_SLIP) -> date | None:
    """A date typed as 14/12, 14/12/26, 14-12, 14.12, 14 Dec, 14th December, Dec 14, 2026-12-14.

    Without a year it is the next such date on or after today, or, for a caller that would
    rather point out a slip than book a year ahead, on or after `past_slip` before today
    ("1/3" typed on 2 March is then yesterday, not next year). A weekday in front ("Mon 14
    Dec", as our buttons say) must be that date's weekday.
    """
    today -= past_slip
    raw = unicodedata.normalize("NFKC", text).casefold().strip().rstrip(".!")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    words = fold(raw.replace(",", " ")).split()
    weekday = _WEEKDAYS.get(words[0]) if words else None
    if weekday is not None:
        words = words[1:]
        raw = re.sub(r"^[a-z]+\.?,? ?", "", raw)
    numeric = _NUMERIC_DATE.fullmatch(raw)
    if numeric is not None:
        day, month, year = int(numeric[1]), int(numeric[2]), numeric[3]
        found = _dated(
            day, month, int(year) + (2000 if len(year) == 2 else 0) if year else None, today
        )
    else:
        found = _worded(words, today)
    return found if found is None or weekday is None or found.weekday() == weekday else None


def _worded(words: list[str], today: date) -> date | None:
    """ "14 dec", "14th of december 2026", "december 14th", "the 14th"."""
    words = [w for w in words if w not in ("the", "of")]
    year = int(words.pop()) if len(words) == 3 and re.fullmatch(r"\d{4}", words[-1]) else None
    if len(words) == 1:
        day = _ORDINAL.fullmatch(words[0])
        if day is None or not words[0][-1].isalpha():
            return None  # "14" alone is not a date; "14th" is the next 14th
        return _next_of_month(int(day[1]), today)
    if len(words) != 2:
        return None
    day, month = _ORDINAL.fullmatch(words[0]), closest(words[1], _MONTHS)
    if day is None or month is None:
        day, month = _ORDINAL.fullmatch(words[1]), closest(words[0], _MONTHS)
    if day is None or month is None:
        return None
    return _dated(int(day[1]), month, year, today)


def _dated(day: int, month: int, year: int | None, today: date) -> date | None:
    """The date, or without a year the next one on or after today; None if it cannot be."""
    for candidate in (year,) if year else (today.year, today.year + 1):
        try:
            found = date(candidate, month, day)
        except ValueError:
            continue
        if year or found >= today:
            return found
    return None


def _next_of_month(day: int, today: date) -> date | None:
    for ahead in range(3):
        month = (today.month - 1 + ahead) % 12 + 1
        found = _dated(day, month, today.year + (today.month - 1 + ahead) // 12, today)
        if found is not None and found >= today:
            return found
    return None


def read_day(text: str, today: date, *, past_slip: timedelta = _NO_SLIP) -> date | None:
    """A day: today, tonight, tomorrow (tmrw, tmoz), a weekday, "next tue", or any date.

    A weekday is the next one after today, so "monday" on a Monday means a week on, and so
    does "next monday". "This friday" is the one on or after today: today, on a Friday.
    """
    words = [w for w in fold(text).split() if w not in _POLITE_WORDS and w != "on"]
    phrase = " ".join(words)
    if phrase in ("today", "tonight", "this morning", "this afternoon", "this evening"):
        return today
    if phrase in ("day after tomorrow", "the day after tomorrow"):
        return today + timedelta(days=2)
    if len(words) == 1 and (words[0] in _TOMORROW or closest(words[0], _TOMORROW_WORD)):
        return today + timedelta(days=1)
    lead = words[0] if len(words) == 2 else None
    if lead in ("next", "this", "coming") or len(words) == 1:
        weekday = read_weekday(words[-1])
        if weekday is not None:
            ahead = (weekday - today.weekday()) % 7
            return today + timedelta(days=ahead if lead == "this" else ahead or 7)
    typed = re.sub(r"^\s*on\s+", "", text, flags=re.IGNORECASE)
    return read_date(typed, today, past_slip=past_slip)


# ---------------------------------------------------------------- times

# What "morning", "afternoon" and "evening" mean when typed as a time: the check-in and goal
# reminder buttons offer the same three, so the word and the button agree.
PARTS_OF_DAY: Mapping[str, time] = {
    "morning": time(10),
    "afternoon": time(14),
    "evening": time(18),
}
_CLOCK = re.compile(
    r"(?:at |about |around |by )?(\d{1,2})(?:[:.](\d{2})|(\d{2}))? ?(am|pm)?(?: ?o ?clock)?"
    r"(?:ish)?(?: (in the morning|in the afternoon|in the evening|at night|tonight))?"
)
_HALF = re.compile(r"(half|quarter) (past|to) (\d{1,2}) ?(am|pm)?|half (\d{1,2}) ?(am|pm)?")


def read_time(text: str, parts_of_day: Mapping[str, time] | None = None) -> time | None:
    """A time of day: 7pm, 7.30pm, 19:00, 19.00, 1900, 9:30, noon, "half 7", morning.

    With a colon or four digits the clock is read as 24-hour ("9:30" is 09:30, "19.00" is
    19:00). A bare hour is read as people mean it for meetings and check-ins: 8 to 11 in the
    morning, 12 noon, 1 to 7 in the afternoon or evening ("7" is 19:00), 13 to 23 as said.
    """
    raw = unicodedata.normalize("NFKC", text).casefold()
    raw = re.sub(r"(?<![a-z])([ap])\.? ?m\b\.?", r"\1m", raw)  # "p.m.", "p m"
    raw = " ".join(_POLITE_AROUND.sub("", raw.replace("'", "")).strip(" .!,").split())
    words = " ".join(w for w in fold(raw).split() if w not in _POLITE_WORDS)
    if words in ("noon", "midday", "12 noon", "lunchtime", "lunch time"):
        return time(12)
    if words in ("midnight", "12 midnight"):
        return time(0)
    part = _part_of_day(words, PARTS_OF_DAY if parts_of_day is None else parts_of_day)
    if part is not None:
        return part
    half = _HALF.fullmatch(raw)
    if half is not None:
        if half[5] is not None:  # "half 7" is half past seven in the UK
            return _clock(int(half[5]), 30, half[6], bare=True)
        hour = int(half[3]) - (half[2] == "to")
        minute = {"half": 30, "quarter": 15}[half[1]]
        return _clock(hour, 60 - minute if half[2] == "to" else minute, half[4], bare=True)
    clock = _CLOCK.fullmatch(raw)
    if clock is None:
        return None
    hour, minutes, half_of_day = int(clock[1]), clock[2] or clock[3], clock[4]
    if clock[5] is not None:
        if half_of_day is not None:
            return None  # "7pm in the morning"
        night = clock[5] in ("at night", "tonight")
        half_of_day = "am" if clock[5] == "in the morning" or (night and hour == 12) else "pm"
    return _clock(hour, int(minutes or 0), half_of_day, bare=minutes is None)


def _clock(hour: int, minute: int, half_of_day: str | None, *, bare: bool) -> time | None:
    """The time, from an hour as typed; None if no clock shows it (25:00, 13pm, 7:60)."""
    if minute > 59:
        return None
    if half_of_day is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half_of_day == "pm" else 0)
    elif bare:
        if not 1 <= hour <= 23:
            return None
        hour = hour + 12 if hour <= 7 else hour
    return time(hour, minute) if hour <= 23 else None


def _part_of_day(words: str, parts: Mapping[str, time]) -> time | None:
    """ "morning", "in the morning", "this evening", "mornings", "evning" -> the stated time."""
    for lead in ("in the ", "this ", "the ", "in ", "every ", "at "):
        words = words.removeprefix(lead)
    if " " in words:
        return None
    known = {fold(name): at for name, at in parts.items()}
    if words not in known and words.endswith("s") and words[:-1] in known:
        words = words[:-1]
    return closest(words, known) if words else None
