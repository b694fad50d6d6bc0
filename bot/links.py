"""Links the bot hands out (``t.me/<bot>?start=…``), signed so that nobody can make one up.

A link says what it is for and which thing it opens (a grid, a wish, a meeting), and where it
was made for one person (the claimer's contact details, a member's reason for absence), that
person too: ``<purpose>_<id>_<signature>``. The signature is an HMAC of those three, keyed
from the bot's token, and fits Telegram's 64 characters of ``start`` with any 64-bit id. A
link that is unsigned, altered, or opened by someone else than the person it was made for is
not let through to its flow, and the person is told so (``handlers.common``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from enum import StrEnum
from typing import Any

from aiogram import Bot
from aiogram.filters import CommandObject, Filter
from aiogram.types import Message, User
from aiogram.utils.deep_linking import create_start_link

SIGNATURE_LENGTH = 16  # base64url characters: 96 bits
_PAYLOAD = re.compile(rf"^([a-z]+)_(\d{{1,20}})_([A-Za-z0-9_-]{{{SIGNATURE_LENGTH}}})$")


class Purpose(StrEnum):
    WISH_FORM = "wish"  # a grid's link to the private wish form
    TASK = "task"  # a claimer's contact details; personal
    VOLUNTEER = "vol"  # a grid's volunteer sign-up
    TOPIC = "topic"  # proposing a topic for a meeting
    ABSENT = "absent"  # a member's reason for not attending; personal
    ASK = "ask"  # a grid's question to the social worker on duty, asked privately
    MATTER = "matter"  # a community's form for a matter of the residents' council
    MATTER_WISH = "matterwish"  # the same form, for a community-tier wish
    MATTER_PROPOSAL = "matterprop"  # the same form, for a micro-venture proposal
    ROUND_FORM = "round"  # a street's link to the private form of a new micro-venture round


PERSONAL = frozenset({Purpose.TASK, Purpose.ABSENT})
MINE = "mine"  # /start mine: the person's own wishes; it names nothing, needs no signature


def _key(bot: Bot) -> bytes:
    return hashlib.sha256(b"gridlink start links\0" + bot.token.encode()).digest()


def _signature(bot: Bot, purpose: Purpose, thing_id: int, person_id: int | None) -> str:
    message = f"{purpose}:{thing_id}:{person_id if purpose in PERSONAL else ''}".encode()
    digest = hmac.new(_key(bot), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_LENGTH]


def payload(bot: Bot, purpose: Purpose, thing_id: int, person_id: int | None = None) -> str:
    if purpose in PERSONAL and person_id is None:
        raise ValueError(f"a {purpose} link is made for one person")
    return f"{purpose}_{thing_id}_{_signature(bot, purpose, thing_id, person_id)}"


async def link(bot: Bot, purpose: Purpose, thing_id: int, person_id: int | None = None) -> str:
    return await create_start_link(bot, payload(bot, purpose, thing_id, person_id))


async def private_chat(bot: Bot) -> str:
    """The link that opens a private chat with the bot (plain /start: it carries nothing)."""
    return f"https://t.me/{(await bot.me()).username}"


async def mine(bot: Bot) -> str:
    """The link that opens a private chat with the bot at the person's own wishes."""
    return await create_start_link(bot, MINE)


def opened(bot: Bot, purpose: Purpose, args: str | None, person_id: int) -> int | None:
    """The id a genuine ``purpose`` link opened by ``person_id`` carries, or None."""
    found = _PAYLOAD.match(args or "")
    if found is None or found.group(1) != purpose:
        return None
    thing_id = int(found.group(2))
    expected = _signature(bot, purpose, thing_id, person_id)
    return thing_id if hmac.compare_digest(expected, found.group(3)) else None


class Opens(Filter):
    """A ``/start`` link of one purpose, genuine and for the person opening it; the handler
    receives the id as ``thing_id``. Anything else is left for the refusal in common."""

    def __init__(self, purpose: Purpose) -> None:
        self.purpose = purpose

    async def __call__(self, message: Message, bot: Bot, command: CommandObject,
                       event_from_user: User | None = None, **_: Any) -> bool | dict[str, Any]:
        if event_from_user is None:
            return False
        thing_id = opened(bot, self.purpose, command.args, event_from_user.id)
        return False if thing_id is None else {"thing_id": thing_id}
