"""What the residents' council (居民议事会) says: a matter's post and vote in the community's
chat, its outcome, its minutes. Deliberations (议事), hearings (听证) and reviews (评议) have the
same shape, each in its own words.

A matter's post and vote are outbox rows of kind ``matter`` (``markup``: the matter and which
part): rendered from the matter when the sender sends them, so the vote shows the counts as
they are then, and edited in place once posted."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import formatting
from bot.callbacks import MatterAction, MatterCb, MatterVoteCb
from bot.i18n import current_locale
from bot.messenger import Messenger, Rendered
from storage import council, people, places
from storage.council import Record
from storage.models import (
    Lane,
    Matter,
    MatterComment,
    MatterKind,
    MatterState,
    OutboxKind,
    OutboxMessage,
    Place,
    Proposal,
    Wish,
)

POST, VOTE = "post", "vote"


def kind_name(kind: str) -> str:
    return {MatterKind.DELIBERATION: _("deliberation"), MatterKind.HEARING: _("hearing"),
            MatterKind.REVIEW: _("review")}[MatterKind(kind)]


def heading(matter: Matter) -> str:
    return _("🏛 <b>Residents' council · {kind} #{id}</b>: {title}").format(
        kind=kind_name(matter.kind), id=matter.id, title=escape(matter.title))


def option_labels(matter: Matter) -> list[str]:
    if matter.options:
        return [escape(o) for o in matter.options]
    return [_("For"), _("Against"), _("Abstain")]


def _when(matter: Matter, moment: Any, community: Place) -> str:
    return formatting.when(moment, community.timezone, current_locale())


def invitation(matter: Matter) -> str:
    match MatterKind(matter.kind):
        case MatterKind.HEARING:
            text = _("A hearing of the residents' council: before this is decided, residents "
                     "are heard. Give your view by replying to this message, or privately "
                     "with /comment {id} and your words.")
        case MatterKind.REVIEW:
            text = _("A review by the residents' council: residents assess this work. Give "
                     "your assessment by replying to this message, or privately with "
                     "/comment {id} and your words.")
        case _:
            text = _("The residents' council deliberates on this matter. Say what you think "
                     "by replying to this message, or privately with /comment {id} and your "
                     "words.")
    return text.format(id=matter.id)


def vote_call(matter: Matter) -> str:
    match MatterKind(matter.kind):
        case MatterKind.HEARING:
            return _("The hearing is over. Residents, please vote on the question heard:")
        case MatterKind.REVIEW:
            return _("The review's discussion is over. Residents, please give your "
                     "assessment:")
        case _:
            return _("The deliberation is over. Residents, please vote:")


def quorum_line(matter: Matter) -> str:
    if matter.quorum_votes is not None:
        return _("Quorum: {votes} votes.").format(votes=matter.quorum_votes)
    if matter.quorum_percent is not None:
        return _("Quorum: {share} of the community's registered residents.").format(
            share=f"{matter.quorum_percent}%")
    return _("Quorum: one vote.")


def source_line(matter: Matter, source_text: str | None) -> str | None:
    """Where the matter comes from: a wish's words (a group masks what they hold), or a
    proposal's title; never a wish's contact details."""
    if matter.wish_id is not None:
        return _("From micro-wish #{id}: {text}").format(id=matter.wish_id,
                                                        text=escape(source_text or ""))
    if matter.proposal_id is not None:
        return _("From micro-venture proposal #{id}: {title}").format(
            id=matter.proposal_id, title=escape(source_text or ""))
    return None


def who_may_vote() -> str:
    return _("Residents of the community's grids who have started a private chat with me may "
             "vote, one vote each, and may change it until the vote closes.")


def post(matter: Matter, community: Place, wish_text: str | None) -> Rendered:
    lines = [heading(matter), "", invitation(matter), "",
             _("<b>Question:</b> {question}").format(question=escape(matter.question)),
             _("Options: {options}").format(options=" / ".join(option_labels(matter)))]
    if (source := source_line(matter, wish_text)) is not None:
        lines.append(source)
    lines += ["", _("Discussion until {when}; the vote follows until {end}.").format(
        when=_when(matter, matter.discussion_ends_at, community),
        end=_when(matter, matter.vote_ends_at, community)), quorum_line(matter)]
    if matter.hidden:
        lines.append(_("The counts stay hidden until the vote closes."))
    return "\n".join(lines), None


def _count_lines(matter: Matter, found: list[int]) -> list[str]:
    return [_("{option}: {count}").format(option=label, count=count)
            for label, count in zip(option_labels(matter), found, strict=True)]


def outcome_line(matter: Matter, record: Record) -> str:
    if not record.met:
        return _("The quorum was not reached ({votes} votes of {needed} needed): nothing was "
                 "decided.").format(votes=record.votes, needed=record.needed)
    if record.winner is None:
        return _("The vote is tied: nothing was decided.")
    option = option_labels(matter)[record.winner]
    match MatterKind(matter.kind):
        case MatterKind.HEARING:
            return _("After the hearing the residents chose: <b>{option}</b>.").format(
                option=option)
        case MatterKind.REVIEW:
            return _("The residents' assessment: <b>{option}</b>.").format(option=option)
        case _:
            return _("The residents' council decided: <b>{option}</b>.").format(option=option)


def vote(matter: Matter, community: Place, found: list[int]) -> Rendered:
    lines = [heading(matter), "", _("<b>Question:</b> {question}").format(
        question=escape(matter.question)), ""]
    if matter.state == MatterState.CLOSED and matter.result is not None:
        record = Record.of(matter.result)
        lines += [_("The vote is closed."), *_count_lines(matter, record.counts),
                  _("Votes: {votes}.").format(votes=record.votes), "",
                  outcome_line(matter, record)]
        return "\n".join(lines), None
    lines += [vote_call(matter), who_may_vote()]
    if matter.hidden:
        lines.append(_("The counts are hidden until the vote closes."))
    else:
        lines += ["", *_count_lines(matter, found)]
    lines += ["", _("The vote closes {when}.").format(
        when=_when(matter, matter.vote_ends_at, community)), quorum_line(matter)]
    rows = [[InlineKeyboardButton(
        text=label if matter.hidden else _("{option} ({count})").format(option=label,
                                                                       count=count),
        callback_data=MatterVoteCb(matter_id=matter.id or 0, choice=n).pack())]
        for n, (label, count) in enumerate(zip(option_labels(matter), found, strict=True))]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def outcome(matter: Matter) -> Rendered:
    record = Record.of(matter.result or {})
    return "\n".join([heading(matter), "", outcome_line(matter, record),
                      *_count_lines(matter, record.counts),
                      _("Minutes: /matter {id}").format(id=matter.id)]), None


def minutes(matter: Matter, community: Place, found: list[int],
            remarks: list[tuple[MatterComment, str]]) -> str:
    """The record of a matter: where it stands or how it closed, with every comment."""
    lines = [heading(matter), _("{community}, opened {when}").format(
        community=escape(community.name), when=_when(matter, matter.created_at, community)),
        "", _("<b>Question:</b> {question}").format(question=escape(matter.question))]
    if matter.state == MatterState.CLOSED and matter.result is not None:
        record = Record.of(matter.result)
        lines += [_("Closed {when}.").format(when=_when(matter, matter.closed_at, community)),
                  *_count_lines(matter, record.counts),
                  _("Votes: {votes} of {eligible} registered residents; quorum {needed}.").format(
                      votes=record.votes, eligible=record.eligible, needed=record.needed),
                  outcome_line(matter, record)]
    elif matter.state == MatterState.VOTING:
        lines.append(_("The vote is open until {when}.").format(
            when=_when(matter, matter.vote_ends_at, community)))
        lines += ([_("The counts are hidden until the vote closes.")] if matter.hidden
                  else _count_lines(matter, found))
    else:
        lines.append(_("Under discussion until {when}.").format(
            when=_when(matter, matter.discussion_ends_at, community)))
    lines += ["", _("<b>Comments</b> ({count}):").format(count=len(remarks))]
    lines += [_("• {name}: {text}").format(name=escape(name), text=escape(c.text))
              for c, name in remarks] or [_("None yet.")]
    if matter.topic_id is not None:
        lines += ["", _("On the agenda of the next joint meeting.")]
    return "\n".join(lines)


def topic(matter: Matter, record: Record) -> str:
    """The matter as a topic of the joint meeting: its number, title and outcome."""
    return _("Residents' council #{id}: {title} — {outcome}").format(
        id=matter.id, title=matter.title,
        outcome=option_labels(matter)[record.winner] if record.winner is not None else "")


def opener_buttons(matter: Matter, record: Record | None) -> InlineKeyboardMarkup | None:
    rows = []
    if matter.state != MatterState.CLOSED:
        rows.append([InlineKeyboardButton(text=_("Close now"), callback_data=MatterCb(
            action=MatterAction.CLOSE, matter_id=matter.id or 0).pack())])
    elif record is not None and record.decided and matter.topic_id is None:
        rows.append([InlineKeyboardButton(text=_("To the joint meeting"), callback_data=MatterCb(
            action=MatterAction.TOPIC, matter_id=matter.id or 0).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def row(matter: Matter, part: str, key: str, now: Any) -> OutboxMessage:
    """The outbox row that posts or brings up to date the matter's post or vote."""
    return OutboxMessage(key=f"matter:{matter.id}:{part}:{key}", kind=OutboxKind.MATTER,
                         lane=Lane.GROUP, chat_id=matter.post_chat_id or 0,
                         markup={"matter": matter.id, "part": part}, not_before=now,
                         created_at=now)


async def sync(messenger: Messenger, outbox_row: OutboxMessage) -> int | None:
    """Post the matter's part in the chat, or edit it to show the matter as it is now."""
    data = outbox_row.markup or {}
    part = str(data.get("part", POST))
    async with messenger.db.transaction() as session:
        matter = await council.get(session, int(data.get("matter", 0)))
        community = await places.get(session, matter.community_id) if matter else None
        if matter is None or community is None:
            return None
        found = await council.counts(session, matter)
        wish_text = None
        if matter.wish_id is not None:
            wish = await session.get(Wish, matter.wish_id)
            wish_text = wish.text if wish else None
        elif matter.proposal_id is not None:
            proposal = await session.get(Proposal, matter.proposal_id)
            wish_text = proposal.title if proposal else None
    chat_id = outbox_row.chat_id
    locale = messenger.locale_of_place(community)

    def render() -> Rendered:
        return post(matter, community, wish_text) if part == POST else vote(matter, community,
                                                                           found)

    standing = matter.post_message_id if part == POST else matter.vote_message_id
    if matter.post_chat_id == chat_id and standing and await messenger.edit(
            chat_id, standing, locale, render):
        return standing
    text, markup = messenger.render(locale, render, chat_id)
    sent = await messenger.bot.send_message(chat_id, text, reply_markup=markup)
    await council.record_message(messenger.db, matter.id or 0, part=part, chat_id=chat_id,
                                 message_id=sent.message_id)
    return sent.message_id


async def names(session: AsyncSession,
                remarks: list[MatterComment]) -> list[tuple[MatterComment, str]]:
    found = await people.names_in(session, [c.person_id for c in remarks])
    return [(c, found.get(c.person_id, "")) for c in remarks]
