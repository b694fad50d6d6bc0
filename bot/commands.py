"""The command menu: what each person may use, in their language.

``COMMANDS`` is the table: each command with where it is used (private chat, group) and what
it needs, an act (``usecases.authority.Act``) or a role held anywhere, or nothing for
everyone. Telegram's menus by language (``register_menus``) list what everyone may use. A
person who may use more, or reads another language than Telegram would pick, gets menus of
their own (``refresh``): their private chat's (a chat scope) and, in each bound group of a
place where they are staff, the group's commands plus theirs there (a chat member scope).

Telegram picks a menu by the two-letter language code of the person's app (setMyCommands
accepts ISO 639-1 codes only): "zh" cannot tell Simplified from Traditional, and a Chinese
resident whose phone runs Telegram in English gets the "en" menu. So the menus by language
are Simplified Chinese for "zh", English for "en" and the default language for everyone else,
and a private chat whose language differs from its menu's (a Traditional Chinese reader, an
English app in a Chinese-speaking grid, a choice made with /lang) gets a menu of its own, set
the first time the person writes to the bot (``PersonalMenus``).

Menus are set again when roles change (``storage.menus.roles_changed``, noted by the storage
steps that grant, revoke, approve or change a volunteer's standing; ``MenusFollowRoles``
refreshes after the update) and when the person's language changes. The digest of each menu
set is kept (``storage.menus``), so Telegram is called only for a menu that changed. What
cannot be done: a Traditional menu before the person's first private message.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    BotCommandScopeDefault,
    Message,
    TelegramObject,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel import select

from bot.i18n import locale_of, speaking
from storage import menus, people, places
from storage.db import Database
from storage.models import Person, Place, Role, RoleGrant
from storage.people import Actor
from usecases.authority import ROLES_FOR, Act

log = logging.getLogger(__name__)

MENU_LANGUAGES = {"zh": "zh_Hans", "en": "en"}

Need = Act | Role  # an act allowed at the place, or a role held anywhere


@dataclass(frozen=True)
class Command:
    """A command in the menu: ``needs`` any of these (nothing: everyone may use it)."""

    name: str
    describe: Callable[[], str]
    needs: tuple[Need, ...] = ()
    private: bool = True
    group: bool = False


_CLAIMER = (Role.VOLUNTEER, Act.TAKE_ON_WISHES, Act.ADOPT_WISHES)

# In menu order. Others add their commands here, with the act each needs.
COMMANDS: tuple[Command, ...] = (
    Command("wish", lambda: _("Post a micro-wish"), group=True),
    Command("ask", lambda: _("Ask the social worker on duty"), group=True),
    Command("mywishes", lambda: _("My micro-wishes")),
    Command("mytasks", lambda: _("Wishes I claimed"), _CLAIMER),
    Command("duty", lambda: _("Who is on duty today"), private=False, group=True),
    Command("meetings", lambda: _("Joint meetings here"), private=False, group=True),
    Command("topic", lambda: _("Propose a meeting topic"), private=False, group=True),
    Command("matter", lambda: _("The residents' council (居民议事会)"), group=True),
    Command("comment", lambda: _("Comment on a matter of the residents' council")),
    Command("volunteer", lambda: _("Sign up as a volunteer"), group=True),
    Command("myhours", lambda: _("My service hours"), (Role.VOLUNTEER,)),
    Command("logservice", lambda: _("Log other volunteer service"), (Role.VOLUNTEER,)),
    Command("people", lambda: _("People and roles here"), (Act.SEE_STAFF_LISTS,),
            private=False, group=True),
    Command("volunteers", lambda: _("Volunteers here"), (Act.SEE_STAFF_LISTS,),
            private=False, group=True),
    Command("hours", lambda: _("Service hours here"), (Act.SEE_STAFF_LISTS,),
            private=False, group=True),
    Command("report", lambda: _("Weekly or monthly report"), (Act.SEE_REPORTS,), group=True),
    Command("export", lambda: _("Export records as a spreadsheet"), (Act.EXPORT_RECORDS,),
            group=True),
    Command("evaluation", lambda: _("Monthly evaluations (考评)"),
            (Role.SOCIAL_WORKER, Act.SEE_EVALUATIONS)),
    Command("review", lambda: _("Review a social worker's month"), (Act.REVIEW_STAFF,)),
    Command("partner_review", lambda: _("Rate a social worker's cooperation"),
            (Act.REVIEW_AS_PARTNER,)),
    Command("close_month", lambda: _("Close a month of evaluation"),
            (Act.CLOSE_EVALUATIONS,)),
    Command("score", lambda: _("Score a micro-venture round's proposals"),
            (Act.REVIEW_ROUNDS,)),
    Command("select", lambda: _("Select a micro-venture round's projects"),
            (Act.SELECT_PROJECTS,)),
    Command("round_reviewers", lambda: _("Name a micro-venture round's reviewers"),
            (Act.SELECT_PROJECTS,), group=True),
    Command("evaluation_settings", lambda: _("The street's evaluation settings"),
            (Act.ADMINISTER,), private=False, group=True),
    Command("round", lambda: _("Open a micro-venture round"), (Act.OPEN_ROUNDS,), group=True),
    Command("rounds", lambda: _("Micro-venture rounds"), (Act.SEE_ROUNDS,), group=True),
    Command("propose", lambda: _("Propose a micro-venture project"), (Act.PROPOSE_PROJECTS,)),
    Command("my_proposals", lambda: _("My organisation's proposals"),
            (Act.PROPOSE_PROJECTS,)),
    Command("progress", lambda: _("Report a micro-venture project's progress"),
            (Role.ORG_REP,)),
    Command("project", lambda: _("A micro-venture project's progress"),
            (Act.REVIEW_ROUNDS, Role.ORG_REP)),
    Command("evaluate_round", lambda: _("Call a round's final evaluation"),
            (Act.EVALUATE_ROUNDS,), group=True),
    Command("finish_round", lambda: _("Finish a round and send its report"),
            (Act.EVALUATE_ROUNDS,), group=True),
    Command("duty_set", lambda: _("Set the duty roster"), (Act.KEEP_ROSTER,),
            private=False, group=True),
    Command("swap", lambda: _("Swap a day on duty"), (Act.KEEP_ROSTER,),
            private=False, group=True),
    Command("meeting_new", lambda: _("Start a joint meeting"), (Act.HOST_MEETINGS,),
            private=False, group=True),
    Command("grant", lambda: _("Give someone a role here"), (Act.ADMINISTER,),
            private=False, group=True),
    Command("revoke", lambda: _("Take a role back"), (Act.ADMINISTER,),
            private=False, group=True),
    Command("settings", lambda: _("Settings of this place"), (Act.ADMINISTER,),
            private=False, group=True),
    Command("places", lambda: _("Places I manage"), (Act.ADMINISTER,)),
    Command("forget", lambda: _("Erase a person's data at their request"), (Act.ADMINISTER,),
            group=True),
    Command("mydata", lambda: _("My data")),
    Command("forgetme", lambda: _("Erase my data")),
    Command("lang", lambda: _("Choose the language")),
    Command("lang", lambda: _("Choose the group's language"), (Act.ADMINISTER,),
            private=False, group=True),
    Command("cancel", lambda: _("Stop filling in a form")),
    Command("help", lambda: _("What I can do"), group=True),
)


def _allowed(command: Command, acts: frozenset[Need]) -> bool:
    return not command.needs or any(need in acts for need in command.needs)


def private_commands(acts: frozenset[Need] = frozenset()) -> list[BotCommand]:
    """The private menu of someone who may ``acts`` (nothing: everyone's)."""
    return [BotCommand(command=c.name, description=c.describe())
            for c in COMMANDS if c.private and _allowed(c, acts)]


def group_commands(acts: frozenset[Need] = frozenset()) -> list[BotCommand]:
    """The menu in a group of someone who may ``acts`` there (nothing: everyone's)."""
    return [BotCommand(command=c.name, description=c.describe())
            for c in COMMANDS if c.group and _allowed(c, acts)]


async def register_menus(bot: Bot, i18n: I18n) -> None:
    for language, locale in [(None, i18n.default_locale), *MENU_LANGUAGES.items()]:
        with i18n.context(), i18n.use_locale(locale):
            await bot.set_my_commands(private_commands(), scope=BotCommandScopeAllPrivateChats(),
                                      language_code=language)
            await bot.set_my_commands(group_commands(), scope=BotCommandScopeAllGroupChats(),
                                      language_code=language)
            await bot.set_my_commands(group_commands(), scope=BotCommandScopeDefault(),
                                      language_code=language)


async def set_chat_commands(bot: Bot, chat_id: int) -> None:
    """A group's menu for everyone in it, in the language it chose (call inside that
    locale)."""
    await bot.set_my_commands(group_commands(), scope=BotCommandScopeChat(chat_id=chat_id))


def menu_by_language(language_code: str | None, default: str) -> str:
    """The language of the menu Telegram shows for an app language (its first two letters)."""
    return MENU_LANGUAGES.get((language_code or "")[:2].lower(), default)


def _acts_of(roles: Iterable[str], *, superadmin: bool = False) -> frozenset[Need]:
    """What roles held (at a place and above, or anywhere) allow, in the table's terms.
    Standing and the kind of place are asked when a command is used: a menu only shows it."""
    held = {Role(role) for role in roles}
    if superadmin:
        held |= {Role.ADMIN, Role.SOCIAL_WORKER, Role.CADRE}
    return frozenset({act for act, allowing in ROLES_FOR.items() if held & allowing} | held)


@dataclass(frozen=True)
class _Menu:
    chat_id: int
    scope: BotCommandScopeChat | BotCommandScopeChatMember
    commands: list[BotCommand]

    @property
    def digest(self) -> str:
        listed = json.dumps([[c.command, c.description] for c in self.commands],
                            ensure_ascii=False)
        return hashlib.sha256(listed.encode()).hexdigest()[:32]


async def _grants(db: Database, person_id: int) -> list[tuple[int, str]]:
    async with db.transaction() as session:
        return list((await session.exec(select(RoleGrant.place_id, RoleGrant.role).where(
            RoleGrant.person_id == person_id))).all())


async def _group_menus(db: Database, person: Person,
                       grants: list[tuple[int, str]]) -> list[_Menu]:
    """The menus of a staff member in the bound groups at and below their places: only where
    they may use more than everyone there."""
    everyone = group_commands()
    every_place = {place.id: place for place, _depth in await places.subtree(db, None)}
    found: list[_Menu] = []
    for place, _depth in await places.subtree(db, sorted({p for p, _role in grants})):
        if place.chat_id is None:
            continue
        chain = set(_chain_ids(place, every_place))
        commands = group_commands(_acts_of(role for at, role in grants if at in chain))
        if commands != everyone:
            found.append(_Menu(place.chat_id, BotCommandScopeChatMember(
                chat_id=place.chat_id, user_id=person.id), commands))
    return found


def _chain_ids(place: Place, every_place: dict[int | None, Place]) -> Iterable[int | None]:
    """The place and every place above it."""
    step: Place | None = place
    while step is not None:
        yield step.id
        step = every_place.get(step.parent_id)


async def _wanted(db: Database, person: Person, *, superadmin: bool,
                  default: str) -> tuple[str, list[_Menu]]:
    """The person's language and the menus of their own they should have."""
    async with db.transaction() as session:
        locale = await locale_of(session, person, default)
    grants = await _grants(db, person.id)
    wanted: list[_Menu] = []
    with speaking(I18n.get_current(), locale):
        own = private_commands(_acts_of((role for _at, role in grants), superadmin=superadmin))
        if own != private_commands() or locale != menu_by_language(person.language_code,
                                                                   default):
            wanted.append(_Menu(person.id, BotCommandScopeChat(chat_id=person.id), own))
        wanted += await _group_menus(db, person, grants)
    return locale, wanted


async def refresh(bot: Bot, db: Database, person: Person, *, superadmin: bool = False,
                  default: str) -> None:
    """Set the person's menus that changed, and take away those they should no longer have.
    Call inside an i18n context (a handler, or ``speaking``)."""
    locale, wanted = await _wanted(db, person, superadmin=superadmin, default=default)
    was = await menus.set_of(db, person.id)
    private = None
    for menu in wanted:
        done = True
        if was.pop(menu.chat_id, None) != menu.digest:
            done = await _set(bot, db, person.id, menu)
        if menu.chat_id == person.id:
            # A private chat not started yet cannot take a menu: "" has it set at their
            # first private message (PersonalMenus).
            private = locale if done else ""
    for chat_id in was:
        scope = (BotCommandScopeChat(chat_id=chat_id) if chat_id == person.id
                 else BotCommandScopeChatMember(chat_id=chat_id, user_id=person.id))
        await _delete(bot, db, person.id, chat_id, scope)
    if person.menu_locale != private:
        await people.set_menu_locale(db, person.id, private)
        person.menu_locale = private


async def _set(bot: Bot, db: Database, person_id: int, menu: _Menu) -> bool:
    try:
        await bot.set_my_commands(menu.commands, scope=menu.scope)
    except TelegramAPIError as error:
        log.warning("cannot set the menu of %s in %s: %s", person_id, menu.chat_id, error)
        return False
    await menus.remember(db, person_id, menu.chat_id, menu.digest)
    return True


async def _delete(bot: Bot, db: Database, person_id: int, chat_id: int,
                  scope: BotCommandScopeChat | BotCommandScopeChatMember) -> None:
    try:
        await bot.delete_my_commands(scope=scope)
    except TelegramAPIError as error:
        log.warning("cannot take back the menu of %s in %s: %s", person_id, chat_id, error)
    await menus.remember(db, person_id, chat_id, None)


async def take_back(bot: Bot, person_id: int, chat_ids: Iterable[int]) -> None:
    """Take the menus of someone erased off Telegram (what was kept of them is gone)."""
    for chat_id in chat_ids:
        scope = (BotCommandScopeChat(chat_id=chat_id) if chat_id == person_id
                 else BotCommandScopeChatMember(chat_id=chat_id, user_id=person_id))
        try:
            await bot.delete_my_commands(scope=scope)
        except TelegramAPIError as error:
            log.warning("cannot take back a menu in %s: %s", chat_id, error)


def _bootstrap(data: dict[str, Any], person_id: int) -> bool:
    settings = data.get("settings")
    return settings is not None and person_id in settings.admin_ids


class MenusFollowRoles(BaseMiddleware):
    """Once an update is handled, refreshes the menus of the people whose roles it changed
    (after the answer, so nobody waits for Telegram's menus)."""

    def __init__(self, db: Database, default: str) -> None:
        self.db = db
        self.default = default

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        with menus.watching() as changed:
            result = await handler(event, data)
        for person_id in sorted(changed):
            person = await people.get(self.db, person_id)
            if person is not None:
                with speaking(data["i18n"], self.default):
                    await refresh(data["bot"], self.db, person,
                                  superadmin=_bootstrap(data, person_id), default=self.default)
        return result


class PersonalMenus(BaseMiddleware):
    """Gives a private chat the menu in its own language when Telegram's menus by language
    code cannot (see the module's docstring). Runs inside the locale of the update; the
    language of the menu set is kept on the person, so it is set once per change."""

    def __init__(self, db: Database, default: str) -> None:
        self.db = db
        self.default = default

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        actor: Actor | None = data.get("actor")
        if isinstance(event, Message) and event.chat.type == "private" and actor is not None:
            await self._keep_in_step(data["bot"], actor, I18n.get_current())
        return await handler(event, data)

    async def _keep_in_step(self, bot: Bot, actor: Actor, i18n: I18n) -> None:
        """No menu of their own (None) means Telegram's menu for their app's language."""
        person = actor.person
        wanted = i18n.current_locale
        own = person.menu_locale
        if own == wanted or (own is None and not actor.superadmin
                             and wanted == menu_by_language(person.language_code, self.default)):
            return
        await refresh(bot, self.db, person, superadmin=actor.superadmin, default=self.default)

