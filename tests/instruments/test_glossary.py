"""One name per area for everyone (bot/instruments/glossary.py), and nothing names one itself."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest

from bot.flows import texts
from bot.instruments import Instrument, InstrumentError, load_instruments
from bot.instruments.glossary import area_name, join_names, scale_words, score_name
from bot.instruments.loader import default_instruments_dir
from bot.reports.rounding import shown, whole

REPO_ROOT = Path(__file__).resolve().parents[2]
AREA_INSTRUMENTS = ("arc", "weekly", "cest_self_esteem", "cest_self_efficacy")


def test_a_mentee_sees_the_plain_name_and_staff_the_term_beside_it(
    instruments: dict[str, Instrument],
) -> None:
    mood = next(d for d in instruments["arc"].domains if d.id == "psychological_health")
    assert area_name(mood) == "Mood"
    assert area_name(mood, staff=True) == "Mood (Global psychological health)"
    esteem = instruments["cest_self_esteem"]
    assert score_name(esteem, "score") == "Self-worth"
    assert score_name(esteem, "score", staff=True) == "Self-worth (Self-esteem)"
    with pytest.raises(KeyError):
        score_name(esteem, "domain:nothing")
    assert join_names(["Home", "Mood", "Health"]) == "Home, Mood and Health"


def test_scales_are_worded_as_people_read_them(instruments: dict[str, Instrument]) -> None:
    assert scale_words(instruments["arc"], "domain:coping") == "out of 5"
    assert scale_words(instruments["arc"], "total") == "out of 50"
    assert scale_words(instruments["cest_self_esteem"], "score") == "out of 50"
    assert scale_words(instruments["weekly"], "domain:coping") == "1 to 6"  # one answer


def test_the_weekly_check_in_and_the_arc_name_each_area_alike(
    instruments: dict[str, Instrument],
) -> None:
    arc = {d.id: (d.plain, d.name) for d in instruments["arc"].domains}
    weekly = {d.id: (d.plain, d.name) for d in instruments["weekly"].domains}
    assert weekly == arc


def test_files_that_give_one_area_two_names_are_refused(tmp_path: Path) -> None:
    for path in default_instruments_dir().glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    weekly = tmp_path / "weekly.yaml"
    weekly.write_text(weekly.read_text().replace('plain: "Mood"', 'plain: "Feelings"'))
    with pytest.raises(InstrumentError, match="'psychological_health' is named 'Feelings'"):
        load_instruments(tmp_path)


@pytest.mark.parametrize(
    ("value", "number"), [(26.5, 27), (26.4999, 26), (27.5, 28), (0.5, 1), (22.0, 22)]
)
def test_one_rounding_rule_halves_go_up(value: float, number: int) -> None:
    assert whole(value) == number
    assert shown(value) == str(number)


def test_a_missing_score_is_a_dash_never_a_zero() -> None:
    assert shown(math.nan) == "-"
    with pytest.raises(ValueError):
        whole(math.nan)


def _names(instruments: dict[str, Instrument]) -> set[str]:
    names = set()
    for instrument_id in AREA_INSTRUMENTS:
        for domain in instruments[instrument_id].domains:
            names |= {domain.plain, domain.name}
    return names


def test_no_text_spells_an_area_name_itself(instruments: dict[str, Instrument]) -> None:
    """Texts take area names as placeholders from the glossary; a name typed into a text would
    drift from the questionnaire file (one-word names like "Home" are too common to check)."""
    checked = {name for name in _names(instruments) if " " in name or "-" in name}
    assert "Global psychological health" in checked and "Self-worth" in checked
    found = []
    for key, value in vars(texts).items():
        strings = [value] if isinstance(value, str) else []
        if isinstance(value, dict):
            strings = [v for v in value.values() if isinstance(v, str)]
        for text in strings:
            found += [(key, name) for name in checked if name.casefold() in text.casefold()]
    assert found == []


def test_only_the_glossary_reads_an_area_name() -> None:
    """Every text and picture that names an area asks the glossary: no other module reads a
    domain's `plain` name or its instrument term (`domain.name`) for itself."""
    allowed = {Path("bot/instruments/glossary.py"), Path("bot/instruments/model.py")}
    ssm = {Path("bot/flows/ssm.py"), Path("bot/flows/ssm_view.py")}  # the SSM's own domains
    offenders = []
    for path in sorted((REPO_ROOT / "bot").rglob("*.py")):
        relative = path.relative_to(REPO_ROOT)
        if relative in allowed:
            continue
        source = path.read_text()
        if re.search(r"\.plain\b(?!\s*=)", source):
            offenders.append(f"{relative}: .plain")
        pattern = r"\b(domain|d|found|arc_domain)\.name\b"
        if relative not in ssm and re.search(pattern, source):
            offenders.append(f"{relative}: domain.name")
    assert offenders == []


def test_the_mentor_guide_explains_every_area_as_the_glossary_names_it(
    instruments: dict[str, Instrument],
) -> None:
    guide = (REPO_ROOT / "docs" / "mentor-guide.md").read_text()
    for instrument_id in ("arc", "cest_self_esteem", "cest_self_efficacy"):
        instrument = instruments[instrument_id]
        for domain in instrument.domains:
            row = f"| {area_name(domain)} | {domain.name} | "
            assert row in guide, row
    for picture in ("full-check", "weekly-check-in", "staff-record"):
        path = REPO_ROOT / "docs" / "img" / f"{picture}.png"
        assert f"(img/{picture}.png)" in guide
        assert path.stat().st_size < 60_000
