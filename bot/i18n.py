"""Choosing the language: chat setting > the person's own choice > Telegram's language_code.

aiogram's SimpleI18nMiddleware cuts language codes at the dash and cannot tell Simplified
from Traditional Chinese, so the resolver is ours; catalogs and gettext are aiogram's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.settings import LOCALES
from storage.models import Person, Place

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
_HANT = {"zh-hant", "zh-tw", "zh-hk", "zh-mo"}
_HANS = {"zh", "zh-hans", "zh-cn", "zh-sg"}


def from_language_code(code: str | None) -> str | None:
    """Map Telegram's IETF language tag to one of our locales, or None."""
    if not code:
        return None
    tag = code.strip().lower().replace("_", "-")
    if tag in _HANT or tag.startswith(("zh-hant-",)):
        return "zh_Hant"
    if tag in _HANS or tag.startswith(("zh-hans-",)):
        return "zh_Hans"
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return None


def resolve(*, chat_locale: str | None, person_locale: str | None,
            language_code: str | None, default: str) -> str:
    for choice in (chat_locale, person_locale, from_language_code(language_code)):
        if choice in LOCALES:
            return choice
    return default


def person_locale(person: Person, default: str) -> str:
    """The language to write to someone privately."""
    return resolve(chat_locale=None, person_locale=person.locale,
                   language_code=person.language_code, default=default)


def chat_locale(place: Place | None, default: str) -> str:
    """The language of a group: its place's choice, or the default."""
    return place.locale if place is not None and place.locale in LOCALES else default


def for_chat(*, in_group: bool, place: Place | None, person: Person | None,
             language_code: str | None, default: str) -> str:
    """The language to answer in. A bound group speaks one language to everyone: its own
    choice or the default; elsewhere the person's choice or their Telegram language."""
    return resolve(
        chat_locale=chat_locale(place, default) if in_group and place is not None else None,
        person_locale=person.locale if person is not None else None,
        language_code=language_code,
        default=default,
    )


def make_i18n(default: str) -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default, domain=DOMAIN)


@contextmanager
def speaking(i18n: I18n, locale: str) -> Iterator[None]:
    """Render texts in ``locale``, also outside a handler (notifications, jobs)."""
    with i18n.context(), i18n.use_locale(locale):
        yield


class LocaleMiddleware(I18nMiddleware):
    """Uses what IntakeMiddleware found: the chat's place and the person."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        chat = data.get("event_chat")
        actor = data.get("actor")
        user = data.get("event_from_user")
        return for_chat(
            in_group=chat is not None and chat.type != "private",
            place=data.get("place"),
            person=actor.person if actor else None,
            language_code=user.language_code if user else None,
            default=self.i18n.default_locale,
        )


def current_locale() -> str:
    """The language being rendered right now (inside a handler or ``speaking``)."""
    return I18n.get_current().current_locale
