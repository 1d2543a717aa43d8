"""The signposting directory: the services a mentee can be pointed to, and the checks on them.

A wrong phone number sent to someone in a crisis is worse than none, so a directory is built
all or nothing: every entry is checked (UK phone number, text short code, website, a short
SMS-safe description), every problem in the file is collected, and a `DirectoryError` lists
them all; no partial directory is ever returned. YAML and CSV files share these checks
(`bot.signposting.files`); the shipped directory is `config/resources.yaml`.

Entries are listed nearest first: services for the site's own borough, then London-wide, then
national ones, and last services for other boroughs, which a mentee can rarely use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path

import phonenumbers
import yaml

import config

CATEGORY_IDS: tuple[str, ...] = (
    "substance_use",
    "housing",
    "debt",
    "citizens_advice",
    "family_carers",
    "volunteering",
    "legal",
    "sexual_health",
    "mental_health",
    "domestic_abuse",
    "offender_support",
    "education_work",
    "crisis",
)
# To be confirmed by the lead: the hub clinic is in Southwark.
SITE_AREAS: dict[str, tuple[str, ...]] = {
    "hub": ("Southwark",),
    "camberwell": ("Southwark",),
    "blackfriars": ("Southwark",),
    "greenwich": ("Greenwich",),
}
CONFIDENCE_LEVELS = ("verified", "secondary")
MAX_DESCRIPTION = 140  # leaves room in one 160-character SMS for the name and number
LONDON = "london"
NATIONAL_AREAS = frozenset({"uk", "england", "great britain", "england and wales"})


@dataclass(frozen=True)
class Category:
    """A kind of help, offered to the mentee as a button."""

    id: str
    label: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One service; `area` is one place or several joined by commas ("Lambeth, Southwark")."""

    name: str
    category: str
    description: str
    phone: str | None
    text: str | None
    text_keyword: str | None
    website: str | None
    area: str
    hours: str | None
    cost: str | None
    verified: date
    confidence: str
    source: str

    @property
    def areas(self) -> tuple[str, ...]:
        """Return each place this service is for, as written."""
        return tuple(part.strip() for part in self.area.split(","))


ENTRY_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(Entry))
REQUIRED_FIELDS = ("name", "category", "description", "area", "verified", "confidence", "source")


@dataclass(frozen=True)
class Directory:
    """Every category and entry, in file order."""

    categories: tuple[Category, ...]
    entries: tuple[Entry, ...]

    def category(self, id: str) -> Category:
        """Return the category with this id; KeyError if there is none."""
        for category in self.categories:
            if category.id == id:
                return category
        raise KeyError(id)

    def in_category(self, id: str, *, site: str | None = None) -> list[Entry]:
        """List a category's entries nearest first for the site, by name within each tier."""
        self.category(id)
        local = {area.casefold() for area in site_areas(site)}
        by_name = sorted((e for e in self.entries if e.category == id), key=_name_key)
        return sorted(by_name, key=lambda entry: _tier(entry, local))


def site_areas(site: str | None) -> tuple[str, ...]:
    """Return a site's local areas (none without a site); ValueError for an unknown site."""
    if site is None:
        return ()
    try:
        return SITE_AREAS[site.casefold()]
    except KeyError:
        raise ValueError(f"unknown site {site!r}; known: {', '.join(SITE_AREAS)}") from None


def _name_key(entry: Entry) -> str:
    return entry.name.casefold()


def _tier(entry: Entry, local: set[str]) -> int:
    """Rank an entry: 0 local, 1 London, 2 national, 3 for another borough."""
    areas = {area.casefold() for area in entry.areas}
    if areas & local:
        return 0
    if LONDON in areas:
        return 1
    if areas & NATIONAL_AREAS:
        return 2
    return 3


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong in a file. `kind` says what `line` counts; line 0 is the whole file."""

    line: int
    reason: str
    kind: str = "line"

    def __str__(self) -> str:
        return f"{self.kind} {self.line}: {self.reason}" if self.line else self.reason


class DirectoryError(Exception):
    """A directory file was refused; `problems` lists everything wrong with it."""

    def __init__(self, problems: Sequence[RowProblem], *, source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(f"{prefix}{problem}" for problem in self.problems))


def normalise(text: str) -> str:
    """Casefold, drop accents and apostrophes, turn other punctuation into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"['\u2018\u2019`]", "", plain)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def default_resources_path() -> Path:
    """Return the shipped directory file, wherever the program is run from."""
    return Path(config.__file__).parent / "resources.yaml"


def load_directory(path: Path | None = None) -> Directory:
    """Load and check a YAML directory file, the shipped one by default."""
    path = path or default_resources_path()
    return directory_from_yaml(path.read_text(encoding="utf-8"), source=path.name)


_SECTIONS = ("categories", "entries")


def directory_from_yaml(text: str, *, source: str | None = None) -> Directory:
    """Build a directory from YAML text holding `categories` and `entries`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" near line {mark.line + 1}" if mark is not None else ""
        raise DirectoryError([RowProblem(0, f"not valid YAML{where}")], source=source) from None
    if not isinstance(data, Mapping) or not {"categories", "entries"} <= data.keys():
        problem = RowProblem(0, "the file needs two lists: categories and entries")
        raise DirectoryError([problem], source=source)
    problems = [RowProblem(0, f"unknown section {key!r}") for key in data if key not in _SECTIONS]
    categories, category_problems = parse_categories(data["categories"])
    raw_entries = data["entries"] or []
    if not isinstance(raw_entries, list):
        problems.append(RowProblem(0, "entries must be a list"))
        raw_entries = []
    return build_directory(
        categories,
        enumerate(raw_entries, start=1),
        kind="entry",
        source=source,
        problems=[*problems, *category_problems],
    )


def build_directory(
    categories: Sequence[Category],
    rows: Iterable[tuple[int, object]],
    *,
    kind: str,
    source: str | None = None,
    problems: Sequence[RowProblem] = (),
) -> Directory:
    """Check numbered raw entries against the categories; raise listing every problem found."""
    found = list(problems)
    known = {category.id for category in categories}
    entries: list[Entry] = []
    first_line: dict[str, int] = {}
    for line, raw in rows:
        entry, reasons = parse_entry(raw, known)
        if entry is not None:
            first = first_line.setdefault(entry.name.casefold(), line)
            if first != line:
                reasons.append(f"the name {entry.name!r} is already used by {kind} {first}")
            entries.append(entry)
        found.extend(RowProblem(line, reason, kind) for reason in reasons)
    if not entries and not found:
        found.append(RowProblem(0, "there are no entries"))
    if found:
        raise DirectoryError(found, source=source)
    return Directory(tuple(categories), tuple(entries))


# --- Categories ---------------------------------------------------------------------------

_CATEGORY_ID = re.compile(r"[a-z][a-z_]*")
_CATEGORY_FIELDS = ("id", "label", "keywords")


def parse_categories(raw: object) -> tuple[list[Category], list[RowProblem]]:
    """Check the categories; every search term must lead to exactly one category."""
    if not isinstance(raw, list):
        return [], [RowProblem(0, "categories must be a list")]
    categories: list[Category] = []
    problems: list[RowProblem] = []
    term_owner: dict[str, str] = {}
    for line, item in enumerate(raw, start=1):
        category, reasons = _parse_category(item)
        if category is not None:
            if any(known.id == category.id for known in categories):
                reasons.append(f"the id {category.id!r} is used twice")
            for term in sorted(search_terms(category)):
                owner = term_owner.setdefault(term, category.id)
                if owner != category.id:
                    reasons.append(f"{term!r} is already a keyword of {owner}")
            categories.append(category)
        problems.extend(RowProblem(line, reason, "category") for reason in reasons)
    present = {category.id for category in categories}
    problems += [
        RowProblem(0, f"the category {i!r} is missing") for i in CATEGORY_IDS if i not in present
    ]
    return categories, problems


def search_terms(category: Category) -> set[str]:
    """Return the normalised words that find a category: its id, label and keywords."""
    terms = {normalise(category.id), normalise(category.label)}
    return terms | {normalise(keyword) for keyword in category.keywords}


def _parse_category(item: object) -> tuple[Category | None, list[str]]:
    if not isinstance(item, Mapping):
        return None, ["should have an id, a label and keywords"]
    reasons = [f"unknown field {key!r}" for key in item if key not in _CATEGORY_FIELDS]
    category_id, label, keywords = item.get("id"), item.get("label"), item.get("keywords")
    if not isinstance(category_id, str) or not _CATEGORY_ID.fullmatch(category_id):
        reasons.append("the id should be lower-case letters and _, like family_carers")
    if not isinstance(label, str) or not 1 <= len(label.split()) <= 3 or not is_gsm7(label):
        reasons.append("the label should be 1 to 3 plain words, to fit on a button")
    if not isinstance(keywords, list) or not keywords:
        reasons.append("keywords should be a list of words people type")
        keywords = []
    words = [str(word).strip() for word in keywords if isinstance(word, str | int)]
    if len(words) != len(keywords) or not all(normalise(word) for word in words):
        reasons.append("every keyword should be a word or phrase")
    if reasons:
        return None, reasons
    assert isinstance(category_id, str) and isinstance(label, str)  # checked above
    return Category(id=category_id, label=label.strip(), keywords=tuple(words)), []


# --- Entries ------------------------------------------------------------------------------

# GSM 03.38 basic alphabet: one character outside it turns an SMS into UCS-2 (70 characters).
GSM7_BASIC = frozenset(
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9"
    " !\"#\u00a4%&'()*+,-./0123456789:;<=>?"
    "\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7"
    "\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0"
)
_PHONE = re.compile(r"\+?[0-9 ]+")
# Numbers phonenumbers cannot check as ordinary numbers: 999 and 112 (emergency), 111 (NHS),
# 101 and 105 (police and power cuts), 119 (NHS vaccines), and the 116 xxx European helplines.
_SHORT_PHONES = frozenset({"999", "112", "111", "101", "105", "119"})
_HELPLINE_116 = re.compile(r"116\d{3}")
_TEXT_NUMBER = re.compile(r"\d{5,6}")
_TEXT_KEYWORD = re.compile(r"[A-Za-z0-9]{1,20}")
_WEBSITE = re.compile(
    r"(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d{1,5})?(?:/\S*)?",
    re.IGNORECASE,
)
_SHOWN_TO_MENTEES = ("name", "description", "text_keyword", "area", "hours", "cost")


def is_gsm7(text: str) -> bool:
    """Tell whether every character fits the basic GSM-7 SMS alphabet."""
    return all(character in GSM7_BASIC for character in text)


def parse_entry(raw: object, categories: Collection[str]) -> tuple[Entry | None, list[str]]:
    """Turn one raw entry into an Entry, or give every reason it cannot be one."""
    if not isinstance(raw, Mapping):
        return None, ["should be a set of fields such as name, category and phone"]
    reasons = [f"unknown field {key!r}" for key in raw if key not in ENTRY_FIELDS]
    values: dict[str, str | None] = {}
    for name in ENTRY_FIELDS:
        if name != "verified":
            values[name] = _text_value(name, raw.get(name), reasons)
    verified = _date_value(raw.get("verified"), reasons)
    missing = [name for name in REQUIRED_FIELDS if name in values and values[name] is None]
    reasons += [f"{name} is missing" for name in missing]
    reasons += _entry_problems(values, categories)
    if reasons or verified is None:
        return None, reasons

    def get(name: str) -> str:
        return values[name] or ""

    entry = Entry(
        name=get("name"),
        category=get("category"),
        description=get("description"),
        phone=values["phone"],
        text=values["text"],
        text_keyword=values["text_keyword"],
        website=values["website"],
        area=get("area"),
        hours=values["hours"],
        cost=values["cost"],
        verified=verified,
        confidence=get("confidence"),
        source=get("source"),
    )
    return entry, []


def _text_value(name: str, value: object, reasons: list[str]) -> str | None:
    """Return a field as stripped text, None when blank; note a value of the wrong kind."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        reasons.append(f"{name} should be text; put it in quotes")
        return None
    text = str(value).strip()
    if "\n" in text or "\r" in text:
        reasons.append(f"{name} should be on one line")
    return text or None


def _date_value(value: object, reasons: list[str]) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    reasons.append("verified should be a date like 2026-11-01" if value else "verified is missing")
    return None


def _entry_problems(values: Mapping[str, str | None], categories: Collection[str]) -> list[str]:
    """Check the fields that are present; missing ones are reported by the caller."""
    reasons: list[str] = []
    category, area, source = values["category"], values["area"], values["source"]
    if category is not None and category not in categories:
        reasons.append(f"unknown category {category!r}")
    description = values["description"] or ""
    if len(description) > MAX_DESCRIPTION:
        reasons.append(
            f"description is {len(description)} characters; the most is {MAX_DESCRIPTION}"
        )
    for name in _SHOWN_TO_MENTEES:
        bad = sorted({c for c in values[name] or "" if c not in GSM7_BASIC})
        if bad:
            reasons.append(f"{name} has characters an SMS cannot carry: {' '.join(bad)}")
    if area is not None and not all(part.strip() for part in area.split(",")):
        reasons.append("area has an empty place name")
    if values["confidence"] not in (None, *CONFIDENCE_LEVELS):
        reasons.append("confidence should be verified or secondary")
    if source is not None and not re.search(r"https?://", source):
        reasons.append("source should give the web address the facts came from")
    if not (values["phone"] or values["text"] or values["website"]):
        reasons.append("give at least one way to get in touch: phone, text or website")
    reasons += [
        reason
        for reason in (
            phone_problem(values["phone"]),
            _text_problem(values["text"], values["text_keyword"]),
            website_problem(values["website"]),
        )
        if reason
    ]
    return reasons


def phone_problem(phone: str | None) -> str | None:
    """Say what is wrong with a UK phone number written for people to dial, if anything."""
    if phone is None:
        return None
    digits = phone.replace(" ", "")
    if not _PHONE.fullmatch(phone):
        return f"phone {phone!r} should be digits and spaces only, like 0300 123 6600"
    if digits in _SHORT_PHONES or _HELPLINE_116.fullmatch(digits):
        return None
    if not digits.startswith(("0", "+44")):
        if len(digits) in (9, 10):  # 0300 123 6600 saved as a number by a spreadsheet
            return f"phone {phone!r} should start with 0 (a spreadsheet may have dropped it)"
        return f"phone {phone!r} is not a UK phone number"
    try:
        number = phonenumbers.parse(phone, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number_for_region(number, "GB"):
        return f"phone {phone!r} is not a UK phone number"
    return None


def _text_problem(text: str | None, keyword: str | None) -> str | None:
    if text is not None and not _TEXT_NUMBER.fullmatch(text):
        return f"text {text!r} should be a 5 or 6 digit number to text, like 85258"
    if keyword is not None and text is None:
        return "text_keyword needs a text number to send it to"
    if keyword is not None and not _TEXT_KEYWORD.fullmatch(keyword):
        return f"text_keyword {keyword!r} should be one word, like SHOUT"
    return None


def website_problem(website: str | None) -> str | None:
    """Say what is wrong with a website (a bare domain or an http(s) address), if anything."""
    if website is None or _WEBSITE.fullmatch(website):
        return None
    return f"website {website!r} should be a web address, like talktofrank.com"
