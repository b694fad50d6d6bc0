"""The proposal form's steps: what each asks, how a typed answer is read, and the summary.

Budget lines are "item amount" in yuan, one per line, added until Done; lines that would take
the total over the round's cap are refused with both figures. Milestones are "day title", one
per line, each after today in the street's time zone. Phone and ID numbers are kept out of a
proposal: reviewers read it, and its title may be announced.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from html import escape

from aiogram.fsm.state import State
from aiogram.utils.i18n import gettext as _

from bot import venture_forms, venture_notices, words_zh
from bot.callbacks import VentureStep
from bot.states import ProposalForm
from bot.venture_forms import Data, Form, Read, Rows, button, lines_of
from storage import ventures, words
from storage.privacy import has_number
from storage.ventures import Result

KEPT = 24  # characters of a kept answer on its button
SUMMARY_PLAN = 300  # characters of the plan in the summary; reviewers read it whole
_DATED = re.compile(r"^(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号號]?"
                    r"|\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号號]?)\s*[:：,，]?\s*(.*)$")
TEXTS = {"organisation": ventures.MAX_ORGANISATION, "title": ventures.MAX_TITLE,
         "plan": ventures.MAX_PLAN, "team": ventures.MAX_TEAM}


def no_numbers() -> str:
    return _("Please leave out phone, ID and other long numbers: a proposal is read by "
             "reviewers and may be announced; people reach your organisation through me.")


def no_round() -> str:
    return _("There is no round you can propose in now: a round takes proposals from the "
             "representatives of organisations of its street, until its deadline.")


# -- the steps -------------------------------------------------------------------------------


def _text(name: str) -> venture_forms.Reader:
    def read(text: str, data: Data, now: datetime) -> Read | str:
        if ventures.check_text(text, TEXTS[name]) is not Result.OK:
            return _("Please write a few words (at most {limit} characters).").format(
                limit=TEXTS[name])
        if has_number(text):
            return no_numbers()
        return Read({name: text.strip()})

    return read


def _total(lines: list[list[object]]) -> int:
    return sum(int(str(amount)) for _item, amount in lines)


def _lines(text: str, data: Data, now: datetime) -> Read | str:
    kept = list(data.get("lines", []))
    for typed in lines_of(text):
        line = ventures.budget_line(typed)
        if line is not None and has_number(line[0]):
            return no_numbers()
        if line is None:
            return _("I could not read “{line}”. Write one item and its amount in yuan per "
                     "line, e.g. 场地租金 800.").format(line=escape(typed))
        kept.append([line[0], line[1]])
    if len(kept) > ventures.MAX_LINES:
        return _("A proposal has at most {most} budget lines.").format(most=ventures.MAX_LINES)
    if _total(kept) > int(data["cap"]):
        return _("That makes {total}, over the round's cap of {cap} per project: these lines "
                 "were not added.").format(total=venture_notices.money(_total(kept)),
                                           cap=venture_notices.money(int(data["cap"])))
    return Read({"lines": kept}, stay=True)


def _milestone(typed: str, today: date) -> tuple[date, str] | None:
    found = _DATED.match(words.plain(typed).strip())
    if found is None:
        return None
    day = words_zh.day(found.group(1), today)
    title = found.group(2).strip()
    if day is None or words.check(title, ventures.MAX_ITEM) is not words.Words.OK:
        return None
    return day, title


def _milestones(text: str, data: Data, now: datetime) -> Read | str:
    today = venture_notices.today_in(str(data.get("tz", "Asia/Shanghai")), now)
    kept = list(data.get("milestones", []))
    for typed in lines_of(text):
        found = _milestone(typed, today)
        if found is None:
            return escape(_("I could not read “{line}”. Write the day and what is done by "
                            "then, one per line, e.g. 2026-12-20 招募志愿者.").format(line=typed))
        if has_number(found[1]):
            return no_numbers()
        if found[0] <= today:
            return _("“{line}”: a milestone's day comes after today.").format(
                line=escape(typed))
        kept.append([found[0].isoformat(), found[1]])
    if len(kept) > ventures.MAX_MILESTONES:
        return _("A proposal has at most {most} milestones.").format(
            most=ventures.MAX_MILESTONES)
    return Read({"milestones": sorted(kept)}, stay=True)


READERS = {ProposalForm.organisation.state: _text("organisation"),
           ProposalForm.title.state: _text("title"), ProposalForm.plan.state: _text("plan"),
           ProposalForm.team.state: _text("team"), ProposalForm.lines.state: _lines,
           ProposalForm.milestones.state: _milestones}


def _kept(data: Data, name: str) -> Rows:
    value = str(data.get(name) or "")
    if not value:
        return []
    short = value if len(value) <= KEPT else value[:KEPT - 1] + "…"
    return [[button(_("Keep: {value}").format(value=short), VentureStep.KEEP)]]


def _line_list(data: Data) -> list[str]:
    return [_("• {item}: {amount}").format(item=escape(str(item)),
                                           amount=venture_notices.money(int(amount)))
            for item, amount in data.get("lines", [])]


def _milestone_list(data: Data) -> list[str]:
    return [_("• {day}: {title}").format(
        day=venture_notices.day(date.fromisoformat(str(day))), title=escape(str(title)))
        for day, title in data.get("milestones", [])]


def _typed_list_rows(data: Data, name: str) -> Rows:
    if not data.get(name):
        return []
    return [[button(_("Done"), VentureStep.DONE), button(_("Start over"), VentureStep.AGAIN)]]


def summary(data: Data) -> str:
    chosen = [int(n) for n in data.get("chosen", [])]
    needs = [f"#{wish_id} {venture_notices.need_words(str(words_of), 30)}"
             for wish_id, words_of in data.get("offered", []) if wish_id in chosen]
    return "\n".join([
        _("Round #{id}: {theme}").format(id=data.get("round"),
                                         theme=escape(str(data.get("theme", "")))),
        _("Organisation: {name}").format(name=escape(str(data.get("organisation", "")))),
        _("Title: {title}").format(title=escape(str(data.get("title", "")))),
        _("Needs: {needs}").format(needs="; ".join(needs)),
        _("Plan:"), escape(_shortened(str(data.get("plan", "")))),
        _("Budget: {total} (cap {cap})").format(
            total=venture_notices.money(_total(data.get("lines", []))),
            cap=venture_notices.money(int(data.get("cap", 0)))),
        *_line_list(data),
        _("Timeline:"), *_milestone_list(data),
        _("Team: {team}").format(team=escape(str(data.get("team", "")))),
    ])


def _shortened(text: str, most: int = SUMMARY_PLAN) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def _parts() -> list[tuple[str, str]]:
    return [("organisation", _("Organisation")), ("title", _("Title")), ("needs", _("Needs")),
            ("plan", _("Plan")), ("lines", _("Budget")), ("milestones", _("Timeline")),
            ("team", _("Team"))]


async def _ask(step: State, data: Data) -> tuple[str, Rows]:
    match step:
        case ProposalForm.round:
            return _("In which round?"), [
                [button(f"#{round_id} {theme}", VentureStep.CHOOSE, round_id)]
                for round_id, theme in data.get("rounds", [])]
        case ProposalForm.organisation:
            return _("Which organisation proposes it? (Its full name.)"), _kept(
                data, "organisation")
        case ProposalForm.title:
            return _("The project's title?"), _kept(data, "title")
        case ProposalForm.needs:
            return _("Which of the round's needs does it answer? Tap to choose, tap again to "
                     "leave out; then Done."), venture_forms.need_rows(
                data.get("offered", []), [int(n) for n in data.get("chosen", [])],
                int(data.get("page", 0)))
        case ProposalForm.plan:
            return _("The plan: what will be done, for whom, and how (at most {limit} "
                     "characters).").format(limit=ventures.MAX_PLAN), _kept(data, "plan")
        case ProposalForm.lines:
            return "\n".join([
                escape(_("The budget: one item and its amount in yuan per line, e.g. 场地租金 "
                         "800. Send them in one message or several, then Done.")),
                *_line_list(data),
                _("Total: {total} of at most {cap}").format(
                    total=venture_notices.money(_total(data.get("lines", []))),
                    cap=venture_notices.money(int(data.get("cap", 0))))]), \
                _typed_list_rows(data, "lines")
        case ProposalForm.milestones:
            return "\n".join([
                escape(_("The timeline: each milestone's day and what is done by then, one "
                         "per line, e.g. 2026-12-20 招募志愿者. Then Done.")),
                *_milestone_list(data)]), _typed_list_rows(data, "milestones")
        case ProposalForm.team:
            return _("Who does the work? The team and their experience."), _kept(data, "team")
    parts = [button(_("✏️ {part}").format(part=label), VentureStep.PART, name)
             for name, label in _parts()]
    return "\n".join([_("Please check your proposal, then Submit."), summary(data)]), [
        [button(_("✅ Submit"), VentureStep.CONFIRM)], parts[:4], parts[4:],
        [button(_("↺ Every step again"), VentureStep.AGAIN)]]


FORM = Form(title=lambda data: _("Changing proposal #{id}").format(id=data["proposal_id"])
            if data.get("proposal_id") else _("New proposal"),
            order=list(ProposalForm.__states__), ask=_ask, readers=READERS,
            skipped=lambda step, data: step == ProposalForm.round and len(
                data.get("rounds", [])) < 2)
