"""The sites file: the shipped one is sound, and a broken one is refused in one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sites import MAX_PLACE, Site, SitesError, load_sites, shipped_sites

GOOD_SITE = """\
  - id: hub
    name: Hub clinic
    area: Southwark
    places:
      - Hub clinic, front desk
"""


def test_the_shipped_sites_are_the_hub_and_its_three_spokes() -> None:
    sites = load_sites()
    assert list(sites) == ["hub", "camberwell", "blackfriars", "greenwich"]
    assert sites["hub"].name == "Hub clinic"
    assert {site.id: site.area for site in sites.values()} == {
        "hub": "Southwark",
        "camberwell": "Southwark",
        "blackfriars": "Southwark",
        "greenwich": "Greenwich",
    }
    for site in sites.values():
        assert 3 <= len(site.places) <= 4
        assert "clinic" in site.places[0]  # the clinic itself is offered first
        assert all(len(place) <= MAX_PLACE and place.isascii() for place in site.places)


def test_the_shipped_sites_are_read_once_and_cannot_be_changed() -> None:
    assert shipped_sites() is shipped_sites()
    with pytest.raises(TypeError):
        shipped_sites()["hub"] = Site("x", "x", "x", ("x",))  # type: ignore[index]


def test_a_file_of_ones_own_is_read(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text("sites:\n" + GOOD_SITE, encoding="utf-8")
    assert load_sites(path) == {
        "hub": Site("hub", "Hub clinic", "Southwark", ("Hub clinic, front desk",))
    }


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("sites:\n" + GOOD_SITE + GOOD_SITE, "the id 'hub' is used twice"),
        ("sites:\n" + GOOD_SITE.replace("      - Hub clinic, front desk\n", ""), "'places'"),
        ("sites:\n" + GOOD_SITE.replace("places:\n", "places: []\n#"), "at least one place"),
        ("sites:\n" + GOOD_SITE.replace("front desk", "x" * 101), "over 100 characters"),
        ("sites:\n" + GOOD_SITE.replace("    area: Southwark\n", ""), "missing key 'area'"),
        ("sites:\n" + GOOD_SITE + "    phone: 1\n", "unknown key 'phone'"),
        ("sites:\n" + GOOD_SITE.replace("front desk", "caf\u00e9"), "plain ASCII"),
        ("sites:\n" + GOOD_SITE.replace("name: Hub clinic", "name: ''"), "name must be"),
        ("sites:\n" + GOOD_SITE + "      - Hub clinic, front desk\n", "listed twice"),
        ("sites: []\n", "the list of sites is empty"),
        ("- hub\n", "one key, 'sites'"),
        ("sites: [\n", "not valid YAML"),
    ],
    ids=[
        "duplicate-id",
        "places-missing",
        "places-empty",
        "place-too-long",
        "missing-key",
        "unknown-key",
        "not-ascii",
        "empty-name",
        "place-twice",
        "no-sites",
        "not-a-mapping",
        "bad-yaml",
    ],
)
def test_a_bad_file_is_refused_in_one_line_naming_it(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SitesError) as caught:
        load_sites(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert problem in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SitesError, match="cannot read the file"):
        load_sites(tmp_path / "nowhere.yaml")
