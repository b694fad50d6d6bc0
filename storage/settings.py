"""Per-place settings: each place may override its parent; unset means inherited."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storage.models import Place
from storage.words import plain


class PlaceSettings(BaseModel):
    """What an admin may change per place with /set, and the defaults."""

    # Python's re checks the two patterns below; pydantic's default engine takes 0.9 MiB of
    # memory for them, in every bot process.
    model_config = ConfigDict(regex_engine="python-re")
    verify: bool = Field(default=False, description="wishes wait for a social worker's approval")
    grid_deadline_hours: int = Field(default=48, ge=1, le=24 * 60)
    community_deadline_hours: int = Field(default=168, ge=1, le=24 * 120)
    confirm_timeout_hours: int = Field(default=72, ge=1, le=24 * 60)
    claim_reminder_hours: int = Field(default=24, ge=1, le=24 * 60)
    claim_release_hours: int = Field(default=72, ge=1, le=24 * 60)
    page_ack_minutes: int = Field(default=15, ge=1, le=24 * 60)
    duty_reminder_time: str = Field(default="08:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # Pages and reminders wait until the end of quiet hours; risk alerts never do.
    quiet_hours: str = Field(default="22:00-07:00",
                             pattern=r"^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$")
    working_days: bool = Field(default=False, description="deadlines count working days only")
    # A community's own risk words (each raises a risk alert alone), and the built-in signs it
    # switched off (storage.risk); both changed with /riskwords.
    risk_words: list[str] | None = None
    risk_words_off: list[str] | None = None
    # How many new wishes a volunteer is told about privately in one day, at most.
    volunteer_pings_per_day: int = Field(default=3, ge=0, le=50)
    # Limits on people (staff are not limited); 0 means no limit. Counted from the wishes and
    # questions stored in the last hour (storage.quotas).
    person_wishes_per_hour: int = Field(default=5, ge=0, le=1000)
    group_wishes_per_hour: int = Field(default=30, ge=0, le=1000)
    person_questions_per_hour: int = Field(default=3, ge=0, le=1000)
    # The same words again from the same person within this many minutes are not taken.
    same_text_minutes: int = Field(default=10, ge=0, le=24 * 60)
    # New members of a grid group are greeted once with the short help and its buttons.
    greet_new_members: bool = True
    # Scheduled reports (bot.jobs): weekly to each community's chat on this day (1 = Monday)
    # about the week before, monthly to each street's chat on the 1st; both at this local
    # time, or never ("off").
    report_time: str = Field(default="09:00", pattern=r"^(off|([01]\d|2[0-3]):[0-5]\d)$")
    weekly_report_day: int = Field(default=1, ge=1, le=7)


SETTING_NAMES: tuple[str, ...] = tuple(
    name for name, field in PlaceSettings.model_fields.items()
    if field.annotation in (bool, int, str)
)
_TRUE = {"on", "yes", "true", "1", "开", "開", "是", "开启", "開啟", "启用", "啟用"}
_FALSE = {"off", "no", "false", "0", "关", "關", "否", "关闭", "關閉", "停用"}


def effective(chain: list[Place]) -> PlaceSettings:
    """Merge settings from the root down to the place; ``chain`` is the place first."""
    merged: dict[str, Any] = {}
    for place in reversed(chain):
        merged.update(place.settings or {})
    return PlaceSettings.model_validate(merged)


def parse_value(name: str, raw: str) -> Any | None:
    """The typed value for a setting, or None when ``raw`` does not fit it. Full-width digits
    and colons, as a Chinese keyboard types them ("２２：００"), count as plain ones."""
    if name not in SETTING_NAMES:
        return None
    raw = plain(raw)
    annotation = PlaceSettings.model_fields[name].annotation
    if annotation is bool:
        word = raw.strip().lower()
        return True if word in _TRUE else False if word in _FALSE else None
    if annotation not in (int, str):
        return None  # lists have commands of their own
    try:
        value: Any = int(raw.strip()) if annotation is int else raw.strip()
        PlaceSettings.model_validate({name: value})
    except (ValueError, ValidationError):
        return None
    return value
