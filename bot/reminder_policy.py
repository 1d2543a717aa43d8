"""When reminders and nudges go out, read from config/reminders.yaml (editable by the service)."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import config


class PolicyError(Exception):
    """config/reminders.yaml is malformed; the message names the file and the problem."""


class ReminderPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mentee_day_before_at: time = time(17, 0)
    mentee_hours_before: float = Field(default=2, gt=0, le=24)
    mentor_morning_at: time = time(8, 30)
    outcome_ask_after_minutes: int = Field(default=60, ge=0)
    nudge_no_meeting_days: int = Field(default=14, ge=1)
    nudge_no_checkin_days: int = Field(default=14, ge=1)
    nudge_unfinished_days: int = Field(default=3, ge=1)
    checkin_prompt_valid_hours: int = Field(default=12, ge=1, le=24)
    unfinished_checkin_at: time = time(11, 0)
    signpost_followup_days: int = Field(default=7, ge=1)
    signpost_followup_at: time = time(11, 0)
    episode_end_grace_days: int = Field(default=14, ge=0, le=90)


def default_policy_path() -> Path:
    return Path(config.__file__).parent / "reminders.yaml"


def load_policy(path: Path | None = None) -> ReminderPolicy:
    path = path or default_policy_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return ReminderPolicy.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: {type(exc).__name__}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PolicyError(f"{path}: {where}: {first['msg']}") from None
