"""Which questionnaires each sitting uses (docs/instruments.md; files name the instruments)."""

from __future__ import annotations

from bot.storage.models import Timepoint

FULL_BATTERY = ("arc", "cest_self_esteem", "cest_self_efficacy")
WEEKLY_BATTERY = ("weekly",)
FULL_TIMEPOINTS = (Timepoint.BASELINE, Timepoint.THREE_MONTH, Timepoint.EXIT)


def battery(timepoint: Timepoint) -> tuple[str, ...]:
    return WEEKLY_BATTERY if timepoint is Timepoint.WEEKLY else FULL_BATTERY
