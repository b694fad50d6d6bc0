"""Admin commands: bind chats to places, grant roles, list, and change settings."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import labels, paging, words_zh
from bot.callbacks import ListKind, ListPageCb
from bot.clock import Clock
from bot.filters import in_group
from bot.i18n import current_locale
from bot.settings import Settings
from storage import people, places
from storage.db import Database
from storage.models import PARENT_KIND, Person, Place, PlaceKind
from storage.people import Actor, GrantResult
from storage.places import BindOutcome, BindResult
from storage.settings import SETTING_NAMES, PlaceSettings, effective, parse_value
from storage.words import plain, row_number, telegram_id
from usecases import places as usecase
from usecases import roles
from usecases.authority import Act, may

GROUP_COMMANDS = ("bind", "unbind", "grant", "revoke", "people", "settings", "set")


async def administers(message: Message, db: Database, actor: Actor,
                       place: Place | None) -> bool:
    """Whether the chat is a place the actor administers; if not, they are told why."""
    if place is None:
        await message.reply(not_bound())
        return False
    if not await may(db, actor, Act.ADMINISTER, place.id):
        await message.reply(_("Only an admin of this place can do that."))
        return False
    return True


async def staff_here(message: Message, db: Database, actor: Actor,
                     place: Place | None) -> bool:
    """Whether the chat is a place where the actor is staff; if not, they are told why."""
    refused = await not_staff(db, actor, place)
    if refused is not None:
        await message.reply(refused)
    return refused is None


async def not_staff(db: Database, actor: Actor, place: Place | None,
                    reason: str | None = None) -> str | None:
    """Why the actor may not see the staff's lists of the chat's place (``reason`` when they
    are not its staff), or None when they may: asked by a command and by its page buttons."""
    if place is None:
        return not_bound()
    if not await may(db, actor, Act.SEE_STAFF_LISTS, place.id):
        return reason or _("Only the staff of this place can do that.")
    return None


def not_bound() -> str:
    return _("This chat is not bound to any place yet. An admin can set it up with /bind.")


def _bind_usage() -> str:
    return _("Usage: /bind street <name>, /bind community <street number> <name>, "
             "or /bind grid <community number> <name>; /bind <number> gives an existing "
             "place this chat. /places shows the numbers.")


async def bind(message: Message, command: CommandObject, db: Database, actor: Actor,
               clock: Clock, settings: Settings) -> None:
    words = (command.args or "").split()
    if len(words) == 1 and (number := row_number(words[0])) is not None:
        await _attach(message, number, words[0], db, actor, clock)
        return
    kind = words_zh.place_kind(words[0]) if words else None
    needs_parent = kind is not None and PARENT_KIND[kind] is not None
    name = " ".join(words[2:] if needs_parent else words[1:]).strip()[:100]
    parent_id = row_number(words[1]) if needs_parent else None
    if kind is None or not name or (needs_parent and parent_id is None):
        await message.reply(escape(_bind_usage()))
        return
    outcome = await usecase.bind(db, actor, chat_id=message.chat.id, kind=kind, name=name,
                                 parent_id=parent_id, timezone=settings.timezone,
                                 now=clock.now())
    if outcome.result is BindResult.NOT_ALLOWED:
        await message.reply(_("Only an admin of the place above can bind this chat."))
        return
    await _report_bind(message, outcome, kind, words[1] if needs_parent else None)


async def _attach(message: Message, place_id: int, typed: str, db: Database, actor: Actor,
                  clock: Clock) -> None:
    outcome = await usecase.attach(db, actor, chat_id=message.chat.id, place_id=place_id,
                                   now=clock.now())
    if outcome.result is BindResult.NOT_ALLOWED:
        await message.reply(_("Only an admin of that place can bind this chat to it."))
        return
    await _report_bind(message, outcome, None, typed)


async def _report_bind(message: Message, outcome: BindOutcome, kind: PlaceKind | None,
                       number: str | None) -> None:
    """``number`` is the place's number as it was typed."""
    place = outcome.place
    match outcome.result:
        case BindResult.BOUND | BindResult.RENAMED:
            assert place is not None
            await message.reply(_("This chat is now the {kind} “{name}” (number {id}).").format(
                kind=labels.place_kind(place.kind), name=escape(place.name), id=place.id))
        case BindResult.NO_PARENT:
            await message.reply(_("There is no place with number {id}. /places shows the "
                                  "numbers.").format(id=escape(number or "")))
        case BindResult.WRONG_PARENT_KIND:
            assert kind is not None
            await message.reply(_("A {kind} must be placed under a {parent}.").format(
                kind=labels.place_kind(kind), parent=labels.place_kind(PARENT_KIND[kind] or "")))
        case BindResult.ALREADY_BOUND:
            assert place is not None
            await message.reply(_("The {kind} “{name}” already has a chat. Send /unbind there "
                                  "first.").format(kind=labels.place_kind(place.kind),
                                                   name=escape(place.name)))
        case BindResult.CHAT_HAS_OTHER_KIND:
            assert place is not None
            await message.reply(_("This chat is already bound as the {kind} “{name}”. "
                                  "Use /unbind first.").format(
                kind=labels.place_kind(place.kind), name=escape(place.name)))


async def unbind(message: Message, db: Database, actor: Actor, place: Place | None,
                 clock: Clock) -> None:
    if place is None:
        await message.reply(_("This chat is not bound to any place."))
        return
    if not await usecase.unbind(db, actor, place, chat_id=message.chat.id, now=clock.now()):
        await message.reply(_("Only an admin of this place can do that."))
        return
    await message.reply(_("This chat is no longer the {kind} “{name}”. Its people and wishes "
                          "are kept; /bind it again at any time.").format(
        kind=labels.place_kind(place.kind), name=escape(place.name)))


async def list_places(message: Message, db: Database, actor: Actor) -> None:
    listing = await _places_managed(db, actor)
    if listing is None:
        await message.reply(_("You do not manage any place."))
        return
    await paging.send(message, listing, ListKind.PLACES, about=actor.id)


async def places_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                      actor: Actor) -> None:
    """The pages of /places are those of the person who asked."""
    listing = await _places_managed(db, actor) if callback_data.about == actor.id else None
    if listing is None:
        await query.answer(_("These are someone else's places. Send /places to see yours.")
                           if callback_data.about != actor.id
                           else _("You do not manage any place."), show_alert=True)
        return
    await paging.turn(query, callback_data, listing)


async def _places_managed(db: Database, actor: Actor) -> paging.Listing | None:
    """The places the actor manages, or None when they manage none."""
    roots = await people.admin_roots(db, actor)
    if roots == []:
        return None
    tree = await places.subtree(db, roots)
    if not tree:
        return paging.Listing(escape(_("No places yet. In the street office's chat, send "
                                       "/bind street <name>.")))
    return paging.Listing(_("<b>Places you manage</b>"), [
        "    " * depth + f"#{place.id} {labels.place_kind(place.kind)} {escape(place.name)} · "
        + (_("bound") if place.chat_id is not None else _("no chat"))
        for place, depth in tree])


async def find_person(message: Message, who: str | None, db: Database,
                      clock: Clock) -> tuple[Person | None, str | None]:
    """The person a command is about: the author of the message it replies to, an @username
    or a numeric id (``who``). Also returns what was asked for, to name it in a refusal."""
    reply_user = message.reply_to_message.from_user if message.reply_to_message else None
    if reply_user is not None and not reply_user.is_bot:
        person = await people.remember(db, user_id=reply_user.id, full_name=reply_user.full_name,
                                       username=reply_user.username,
                                       language_code=reply_user.language_code,
                                       in_private_chat=False, now=clock.now())
        return person, None
    if who is None:
        return None, None
    who = plain(who)  # "＠name" or "１２３" typed full-width
    if who.startswith("@"):
        return await people.by_username(db, who), who
    if (user_id := telegram_id(who)) is not None:
        person = await people.get(db, user_id)
        if person is None:
            person = await people.remember(
                db, user_id=user_id, full_name=people.placeholder_name(user_id),
                username=None, language_code=None, in_private_chat=False, now=clock.now())
        return person, who
    return None, who


def not_met(who: str) -> str:
    return _("I have not met {who} yet. Ask them to send a message here, then reply to it "
             "with the command.").format(who=escape(who))


async def _change_role(message: Message, command: CommandObject, db: Database, actor: Actor,
                       place: Place | None, clock: Clock, *, granting: bool) -> None:
    usage = escape(_("Usage: /grant <role> @username or id, or reply to the person's message "
                     "with /grant <role>. Roles: admin, social_worker, cadre, org_rep, "
                     "volunteer, volunteer_rep (the volunteers' representative at the joint "
                     "meeting).")) if granting else escape(_(
        "Usage: /revoke <role> @username or id, or reply to the person's message with "
        "/revoke <role>."))
    if not await administers(message, db, actor, place):
        return
    words = (command.args or "").split()
    role = words_zh.role(words[0]) if words else None
    if role is None:
        await message.reply(usage)
        return
    person, asked = await find_person(message, words[1] if len(words) > 1 else None, db, clock)
    if person is None:
        await message.reply(usage if asked is None else not_met(asked))
        return
    result = await roles.change_role(db, actor, person=person, place=place, role=role,
                                     now=clock.now(), granting=granting)
    texts = {
        GrantResult.NOT_ALLOWED: _("Only an admin of this place can do that."),
        GrantResult.GRANTED: _("{name} is now a {role} of “{place}”."),
        GrantResult.ALREADY: _("{name} is already a {role} of “{place}”."),
        GrantResult.REVOKED: _("{name} is no longer a {role} of “{place}”."),
        GrantResult.NOT_HELD: _("{name} is not a {role} of “{place}”, so there was nothing "
                                "to take back."),
    }
    await message.reply(texts[result].format(name=escape(await people.name_of(db, person.id)),
                                             role=labels.role(role), place=escape(place.name)))


async def grant(message: Message, command: CommandObject, db: Database, actor: Actor,
                place: Place | None, clock: Clock) -> None:
    await _change_role(message, command, db, actor, place, clock, granting=True)


async def revoke(message: Message, command: CommandObject, db: Database, actor: Actor,
                 place: Place | None, clock: Clock) -> None:
    await _change_role(message, command, db, actor, place, clock, granting=False)


def _not_staff_for_people() -> str:
    return _("Only the staff of this place can see this list.")


async def list_people(message: Message, db: Database, actor: Actor,
                      place: Place | None) -> None:
    refused = await not_staff(db, actor, place, _not_staff_for_people())
    if refused is not None or place is None:
        await message.reply(refused or not_bound())
        return
    await paging.send(message, await _people(db, place), ListKind.PEOPLE)


async def people_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                      actor: Actor, place: Place | None) -> None:
    refused = await not_staff(db, actor, place, _not_staff_for_people())
    if refused is not None or place is None:
        await query.answer(refused or not_bound(), show_alert=True)
        return
    await paging.turn(query, callback_data, await _people(db, place))


async def _people(db: Database, place: Place) -> paging.Listing:
    tree = await places.subtree(db, [place.id or 0])
    names = {p.id: p.name for p, _depth in tree}
    grants = await people.grants_under(db, list(names))
    if not grants:
        return paging.Listing(_("Nobody holds a role here yet. Use /grant to give one."))
    called = await people.names_of(db, [p.id for p, _grant in grants])
    return paging.Listing(_("<b>People and roles</b>"), [
        f"{escape(names[g.place_id])} · {labels.role(g.role)} · {escape(called[p.id])}"
        + (f" (@{escape(p.username)})" if p.username else "") for p, g in grants])


def _setting_label(name: str) -> str:
    return {
        "verify": _("Verify wishes before they are posted"),
        "grid_deadline_hours": _("Hours a wish stays in the grid before it goes up"),
        "community_deadline_hours": _("Hours a wish stays with the community before it goes up"),
        "confirm_timeout_hours": _("Hours a resident has to confirm"),
        "claim_reminder_hours": _("Hours after a claim before the volunteer is reminded"),
        "claim_release_hours": _("Hours after a claim before an unfinished wish is released"),
        "page_ack_minutes": _("Minutes a page waits for acknowledgement before it goes on"),
        "duty_reminder_time": _("Time of the morning reminder to the workers on duty"),
        "quiet_hours": _("Quiet hours (pages and reminders wait; risk alerts do not)"),
        "working_days": _("Deadlines count working days only"),
        "volunteer_pings_per_day": _("New wishes a volunteer is told about per day, at most"),
        "person_wishes_per_hour": _("Micro-wishes one person may post per hour (0: no limit)"),
        "group_wishes_per_hour": _("Micro-wishes a grid group takes per hour (0: no limit)"),
        "person_questions_per_hour": _("Questions (/ask) one person may send per hour "
                                       "(0: no limit)"),
        "same_text_minutes": _("Minutes in which the same words are not taken twice (0: off)"),
        "greet_new_members": _("New members of a grid group are greeted with the short help"),
        "report_time": _("Time of the scheduled reports (off: none)"),
        "weekly_report_day": _("Day of the weekly report (1 = Monday … 7 = Sunday)"),
    }[name]


def _setting_value(value: object) -> str:
    if isinstance(value, bool):
        return _("on") if value else _("off")
    return str(value)


async def show_settings(message: Message, db: Database, place: Place | None) -> None:
    if place is None:
        await message.reply(not_bound())
        return
    current = effective(await places.chain_of(db, place.id or 0))
    locale = current_locale()
    lines = [_("<b>Settings of “{place}”</b>").format(place=escape(place.name))]
    lines += [_("{label}: {value}").format(label=_setting_label(name),
                                          value=_setting_value(getattr(current, name)))
              + f" (<code>{escape(words_zh.setting_name(name, locale))}</code>)"
              for name in SETTING_NAMES]
    lines.append(escape(_("Admins change one with /set <name> <value>, "
                          "e.g. /set verify on.")))
    await message.reply("\n".join(lines))


def _typed_value(name: str, typed: str) -> str | None:
    """The value typed for a setting, in the words ``parse_value`` reads: "开启" as "on",
    "48小时" and "两天" as "48", "晚上10点至早上7点" as "22:00-07:00"."""
    annotation = PlaceSettings.model_fields[name].annotation
    if annotation is bool:
        on = words_zh.switch(typed)
        return None if on is None else "on" if on else "off"
    if annotation is int:
        unit = ("hours" if name.endswith("_hours") else
                "minutes" if name.endswith("_minutes") else "count")
        number = words_zh.count(typed, unit)
        return None if number is None else str(number)
    if name == "quiet_hours":
        return words_zh.quiet_hours(typed)
    if name == "report_time" and words_zh.switch(typed) is False:
        return "off"
    if name.endswith("_time"):
        at = words_zh.clock(typed)
        return None if at is None else f"{at:%H:%M}"
    return typed


async def change_setting(message: Message, command: CommandObject, db: Database, actor: Actor,
                         place: Place | None, clock: Clock) -> None:
    if not await administers(message, db, actor, place):
        return
    words = (command.args or "").split(maxsplit=1)
    name = words_zh.setting(words[0], SETTING_NAMES) if words else None
    if name is None or len(words) < 2:
        await message.reply(escape(_("Usage: /set <name> <value>. /settings lists the names "
                                     "and their values.")))
        return
    typed = _typed_value(name, words[1].strip())
    value = parse_value(name, typed) if typed is not None else None
    if value is None:
        await message.reply(_("“{value}” does not fit “{label}”. /settings shows what it is "
                              "now.").format(value=escape(words[1].strip()),
                                             label=_setting_label(name)))
        return
    if place is None or not await usecase.change_setting(db, actor, place, name, value,
                                                         now=clock.now()):
        return
    await message.reply(_("Saved: {label} is now {value}.").format(
        label=_setting_label(name), value=_setting_value(value)))


async def group_only(message: Message) -> None:
    await message.reply(_("Please send this command in the group chat of the place it is "
                          "about."))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(bind, Command("bind"), in_group)
    router.message.register(unbind, Command("unbind"), in_group)
    router.message.register(list_places, Command("places"))
    router.message.register(grant, Command("grant"), in_group)
    router.message.register(revoke, Command("revoke"), in_group)
    router.message.register(list_people, Command("people"), in_group)
    router.message.register(show_settings, Command("settings"), in_group)
    router.message.register(change_setting, Command("set"), in_group)
    router.callback_query.register(places_page, ListPageCb.filter(F.kind == ListKind.PLACES))
    router.callback_query.register(people_page, ListPageCb.filter(F.kind == ListKind.PEOPLE))
    router.message.register(group_only, Command(*GROUP_COMMANDS))
    return router
