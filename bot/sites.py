"""The hub and spoke clinics, and the agreed places where a mentor may offer to meet.

The places are data (`config/sites.yaml`) so a service can change them without a release. The
people editing that file may not be programmers, so every problem is one line naming the file
and what is wrong, and a bad file is refused whole: a booking must never offer a half-read list.
Place names go into SMS invitations, so they are held to plain printable ASCII.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

import config

MAX_PLACE = 100  # the meetings table keeps 120; room for nothing surprising in an SMS
_SITE_KEYS = {"id", "name", "area", "places"}


@dataclass(frozen=True)
class Site:
    """A clinic (the hub or a spoke), its borough and the places offered for meetings there."""

    id: str
    name: str
    area: str
    places: tuple[str, ...]


class SitesError(Exception):
    """The sites file cannot be used; the message is one line, "<file>: <problem>"."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = " ".join(problem.split())
        super().__init__(f"{path}: {self.problem}")


def default_sites_path() -> Path:
    """Return config/sites.yaml as shipped beside the code, whatever the working directory."""
    return Path(config.__file__).resolve().parent / "sites.yaml"


def load_sites(path: Path | None = None) -> dict[str, Site]:
    """Read and check the sites file, keyed by site id; SitesError if anything is wrong."""
    path = default_sites_path() if path is None else path
    try:
        # utf-8-sig: files saved by Windows Notepad start with a byte-order mark.
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        raise SitesError(path, f"cannot read the file ({error})") from error
    except yaml.YAMLError as error:
        raise SitesError(path, f"not valid YAML ({error})") from error
    if not isinstance(data, dict) or set(data) != {"sites"} or not isinstance(data["sites"], list):
        raise SitesError(path, "the file must have one key, 'sites', holding a list of sites")
    if not data["sites"]:
        raise SitesError(path, "the list of sites is empty")
    sites: dict[str, Site] = {}
    for number, entry in enumerate(data["sites"], start=1):
        site = _site(path, number, entry)
        if site.id in sites:
            raise SitesError(path, f"site {number}: the id {site.id!r} is used twice")
        sites[site.id] = site
    return sites


@functools.cache
def shipped_sites() -> Mapping[str, Site]:
    """The shipped sites, read once per process (read-only, so sharing it is safe)."""
    return MappingProxyType(load_sites())


def _site(path: Path, number: int, entry: Any) -> Site:
    where = f"site {number}"
    if not isinstance(entry, dict):
        raise SitesError(path, f"{where}: must be a mapping with id, name, area and places")
    missing, unknown = _SITE_KEYS - set(entry), set(entry) - _SITE_KEYS
    if missing:
        raise SitesError(path, f"{where}: missing key {sorted(missing)[0]!r}")
    if unknown:
        raise SitesError(path, f"{where}: unknown key {sorted(unknown, key=str)[0]!r}")
    site_id = _text(path, f"{where} id", entry["id"])
    where = f"site {site_id!r}"
    name = _text(path, f"{where} name", entry["name"])
    area = _text(path, f"{where} area", entry["area"])
    places = entry["places"]
    if not isinstance(places, list) or not places:
        raise SitesError(path, f"{where}: 'places' must be a list of at least one place")
    checked = tuple(_place(path, where, place) for place in places)
    if len(set(checked)) != len(checked):
        raise SitesError(path, f"{where}: a place is listed twice")
    return Site(id=site_id, name=name, area=area, places=checked)


def _place(path: Path, where: str, place: Any) -> str:
    text = _text(path, f"{where} place", place)
    if len(text) > MAX_PLACE:
        raise SitesError(
            path, f"{where}: the place {text[:30]!r}... is over {MAX_PLACE} characters"
        )
    return text


def _text(path: Path, what: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SitesError(path, f"{what} must be some text")
    text = " ".join(value.split())
    if not (text.isascii() and text.isprintable()):
        raise SitesError(path, f"{what} {text!r} must be plain ASCII (no curly quotes or emoji)")
    return text
