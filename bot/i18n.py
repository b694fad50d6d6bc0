"""Choosing the language. A bound group speaks its own language (its choice, or the default)
to everyone. A private chat speaks the person's choice (/lang); else Chinese when their
Telegram runs in Chinese; else the language of their grid; else Telegram's language_code.

Telegram has no Chinese interface of its own: a Chinese language_code means someone installed a
Chinese translation on purpose, while "en" is often only what a Chinese resident's phone came
with. So the grid's language comes before an English (or any other) language_code, but not
before a Chinese one: a Hong Kong resident of a Simplified grid who reads Traditional keeps it.

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
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.settings import LOCALES
from storage import members
from storage.db import Database
from storage.models import Person, Place

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
_HANT = {"zh-hant", "zh-tw", "zh-hk", "zh-mo"}
_HANS = {"zh", "zh-hans", "zh-cn", "zh-sg"}
CHINESE = frozenset({"zh_Hans", "zh_Hant"})


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


def private_locale(*, chosen: str | None, language_code: str | None, grid: Place | None,
                   default: str) -> str:
    """The language of a private chat (see the module's docstring for the order)."""
    telegram = from_language_code(language_code)
    for choice in (chosen, telegram if telegram in CHINESE else None,
                   chat_locale(grid, default) if grid is not None else None, telegram):
        if choice in LOCALES:
            return choice
    return default


def grid_decides(person: Person | None, language_code: str | None = None) -> bool:
    """Whether the person's grid would decide their private language: they chose none, and
    their Telegram does not run in Chinese (only then is their grid worth looking up)."""
    chosen = person.locale if person is not None else None
    code = person.language_code if person is not None else language_code
    return chosen not in LOCALES and from_language_code(code) not in CHINESE


def person_locale(person: Person, default: str, grid: Place | None = None) -> str:
    """The language to write to someone privately; ``grid`` is their grid, when known."""
    return private_locale(chosen=person.locale, language_code=person.language_code, grid=grid,
                          default=default)


async def locale_of(session: AsyncSession, person: Person, default: str) -> str:
    """``person_locale``, with their grid looked up in the caller's transaction when it
    decides."""
    grid = await members.home_grid(session, person.id) if grid_decides(person) else None
    return person_locale(person, default, grid)


def chat_locale(place: Place | None, default: str) -> str:
    """The language of a group: its place's choice, or the default."""
    return place.locale if place is not None and place.locale in LOCALES else default


def for_chat(*, in_group: bool, place: Place | None, person: Person | None,
             language_code: str | None, default: str, grid: Place | None = None) -> str:
    """The language to answer in. A bound group speaks one language to everyone: its own
    choice or the default; elsewhere the person's private language (``grid``: theirs)."""
    if in_group and place is not None:
        return chat_locale(place, default)
    return private_locale(chosen=person.locale if person is not None else None,
                          language_code=language_code, grid=grid, default=default)


async def for_update(db: Database, *, in_group: bool, place: Place | None,
                     person: Person | None, language_code: str | None, default: str) -> str:
    """``for_chat``, looking up the person's grid where it decides their private language."""
    grid = None
    if not in_group and person is not None and grid_decides(person, language_code):
        async with db.transaction() as session:
            grid = await members.home_grid(session, person.id)
    return for_chat(in_group=in_group, place=place, person=person,
                    language_code=language_code, default=default, grid=grid)


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
        return await for_update(
            data["db"],
            in_group=chat is not None and chat.type != "private",
            place=data.get("place"),
            person=actor.person if actor else None,
            language_code=user.language_code if user else None,
            default=self.i18n.default_locale,
        )


def current_locale() -> str:
    """The language being rendered right now (inside a handler or ``speaking``)."""
    return I18n.get_current().current_locale
