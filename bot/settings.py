"""Configuration from GRIDLINK_* environment variables (see README)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiogram.utils.token import TokenValidationError, validate_token
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCALES = ("zh_Hans", "zh_Hant", "en")


class Mode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDLINK_", env_file=".env", extra="ignore")

    bot_token: SecretStr
    telegram_api_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///./gridlink.db"
    redis_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    mode: Mode = Mode.POLLING
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_Hans"
    sweep_seconds: int = Field(default=60, ge=1, le=3600)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("bot_token")
    @classmethod
    def _looks_like_a_token(cls, value: SecretStr) -> SecretStr:
        try:
            validate_token(value.get_secret_value())
        except TokenValidationError as error:
            raise ValueError("does not look like a bot token (it looks like 123456:ABC-DEF…, "
                             "as BotFather gave it)") from error
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"is not a time zone name like Asia/Shanghai: {value!r}") from error
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"must be one of {', '.join(LOCALES)}")
        return value

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> Settings:
        if self.mode is Mode.WEBHOOK and not self.webhook_url:
            raise ValueError("GRIDLINK_WEBHOOK_URL is required when GRIDLINK_MODE is webhook")
        return self
