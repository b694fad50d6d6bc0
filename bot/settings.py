"""Configuration from GRIDLINK_* environment variables (see README).

This module imports no more than pydantic-settings, so that `python -m bot` can read and check
the settings before it spends seconds importing aiogram.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCALES = ("zh_Hans", "zh_Hant", "en")
TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
# What Telegram's setWebhook accepts as secret_token.
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# The proxies aiogram's session reaches Telegram through (aiohttp-socks: CONNECT or SOCKS).
PROXY_SCHEMES = ("http", "socks5", "socks4")


class Mode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


def parse_ids(text: str) -> frozenset[int]:
    """User ids separated by commas, also as typed on a Chinese keyboard: NFKC turns full-width
    digits and commas (１２３，４５６) and the ideographic space into ASCII ones, and the
    enumeration comma (、) separates too."""
    normal = unicodedata.normalize("NFKC", text).replace("、", ",")
    parts = [part.strip() for part in normal.split(",")]
    for part in parts:
        if part and not (part.isascii() and part.isdigit()):
            raise ValueError("must be Telegram user ids (numbers) separated by commas, "
                             f"not {part!r}")
    return frozenset(int(part) for part in parts if part)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDLINK_", env_file=".env", extra="ignore")

    bot_token: SecretStr
    telegram_api_url: str | None = None
    # May carry a user and password, so it is kept out of reprs and logs like the token.
    proxy: SecretStr | None = None
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
    # Updates handled at once; more wait where Telegram keeps them (bot.inflight). PostgreSQL
    # gets a connection for each, and a few more.
    updates_at_once: int = Field(default=24, ge=1, le=500)
    # Days the outbox keeps a delivered (or given up) message's text, and a failed update its
    # contents; the sweep erases them after that (storage.retention).
    outbox_retention_days: int = Field(default=30, ge=1, le=3650)
    failed_update_retention_days: int = Field(default=30, ge=1, le=3650)

    @property
    def webhook_secret_token(self) -> str:
        """The secret Telegram sends with every webhook request; never serve a webhook without."""
        if self.webhook_secret is None:
            raise ValueError("GRIDLINK_WEBHOOK_SECRET is required when GRIDLINK_MODE is webhook")
        return self.webhook_secret.get_secret_value()

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return parse_ids(value) if isinstance(value, str) else value

    @field_validator("bot_token")
    @classmethod
    def _looks_like_a_token(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("does not look like a bot token (it looks like 123456:ABC-DEF…, "
                             "as BotFather gave it)")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        # `GRIDLINK_WEBHOOK_SECRET=` in a .env file means no secret, not an empty one.
        return None if value == "" else value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_accepts_the_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1 to 256 characters, each a letter A-Z or a-z, a digit, "
                             "_ or - (Telegram accepts no others)")
        return value

    @field_validator("proxy", mode="before")
    @classmethod
    def _empty_proxy_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("proxy")
    @classmethod
    def _proxy_is_a_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        url = value.get_secret_value().strip()
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname or port is None:
            raise ValueError("must be a proxy URL with its port, like socks5://127.0.0.1:1080 "
                             "or http://user:password@proxy.example:3128 (schemes: "
                             f"{', '.join(PROXY_SCHEMES)})")
        return SecretStr(url)

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
    def _webhook_needs_url_and_secret(self) -> Settings:
        if self.mode is not Mode.WEBHOOK:
            return self
        missing = []
        if not self.webhook_url:
            missing.append("GRIDLINK_WEBHOOK_URL is required when GRIDLINK_MODE is webhook")
        if self.webhook_secret is None:
            missing.append("GRIDLINK_WEBHOOK_SECRET is required when GRIDLINK_MODE is webhook: "
                           "Telegram sends it with every update, and requests without it are "
                           "refused")
        if missing:
            raise ValueError("; ".join(missing))
        return self


def describe_settings_error(error: ValidationError) -> str:
    """The whole error as one sentence that names the GRIDLINK_* variables at fault."""
    problems = []
    for item in error.errors():
        name = "GRIDLINK_" + "_".join(str(part) for part in item["loc"]).upper()
        if item["type"] == "missing":
            problems.append(f"{name} is not set")
        elif item["type"] == "value_error" and not item["loc"]:
            problems.append(str(item["ctx"]["error"]))
        elif item["type"] == "value_error":
            problems.append(f"{name} {item['ctx']['error']}")
        else:
            problems.append(f"{name}: {item['msg']}")
    return "GridLink cannot start: " + "; ".join(problems) + ". See README.md, Configuration."
