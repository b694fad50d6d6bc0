"""A micro-venture round's selection end to end: a street admin names a reviewer, the sweep
calls both reviewers once, they score three proposals by buttons with each other's scores
hidden until both scored all, a score changed, buttons pressed twice or forged; the selection
over the budget refused and within it accepted, two admins confirming at once (one wins, the
budget holds), and the announcement as the street's and a community's chats, the proposers and
a resident see it, in each language; and everyone who may not act refused.

The round and its proposals are rows (opening and proposing are another flow's): a round of
the street in REVIEWING, its deadline passed, with three proposals of three organisations."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from bot.callbacks import ScoreCb, ScoreStep
from bot.jobs import sweep_once
from storage import venture_selection as selection
from storage.models import (
    BudgetLine,
    Milestone,
    Proposal,
    ProposalNeed,
    ProposalScore,
    ProposalState,
    RoundNeed,
    RoundReviewer,
    RoundState,
    ScoreStage,
    VentureRound,
    Wish,
)
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    STREET_CHAT,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)

CHIEF = Someone(8001, "Street Admin Zhou", language_code="en", username="zhou_sel")
DEPUTY = Someone(8002, "Street Admin Wu", language_code="en", username="wu_sel")
REVIEWER = Someone(8003, "Reviewer Gao", language_code="en", username="gao_sel")
REP_EN = Someone(8004, "Org Rep Lin", language_code="en", username="lin_sel")
REP_HANS = Someone(8005, "Org Rep Ma", username="ma_sel")  # reads Simplified Chinese
REP_HANT = Someone(8006, "Org Rep Chan", language_code="zh-hant", username="chan_sel")
CRITERIA = ["need_fit", "feasibility", "cost", "record"]
STREET_ID = 1
# Budget ¥50,000; the proposals ask ¥25,000, ¥20,000 and ¥15,000: all three are over it.
BUDGETS = (2_500_000, 2_000_000, 1_500_000)
TITLES = ("点亮楼道", "长者饭堂", "四点半课堂")
ORGANISATIONS = ("阳光社工服务中心", "夕阳红协会", "青苗助学社")


def en(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "en", msgid, **values)


@dataclass(frozen=True)
class World:
    round_id: int
    proposals: list[int]
    other_round: int
    other_proposal: int


async def rows(h: Harness, model: Any) -> list[Any]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(model).order_by(model.id))).all())


async def _round(h: Harness, state: RoundState, due_in: timedelta, wishes: list[int],
                 reps: tuple[Someone, ...]) -> tuple[int, list[int]]:
    now = h.clock.now()
    async with h.db.transaction() as session:
        found = VentureRound(street_id=STREET_ID, theme="楼道照明与助老", budget_fen=5_000_000,
                             cap_fen=3_000_000, proposals_due_at=now + due_in,
                             selection_on=date(2026, 12, 20), criteria=CRITERIA, state=state,
                             opened_by=CHIEF.id, created_at=now)
        session.add(found)
        await session.flush()
        session.add_all([RoundNeed(round_id=found.id, wish_id=w) for w in wishes])
        ids = []
        for n, rep in enumerate(reps):
            proposal = Proposal(round_id=found.id, rep_id=rep.id, organisation=ORGANISATIONS[n],
                                title=TITLES[n], plan="每周两次上门，联系人电话13987654321",
                                team="三名社工", budget_fen=BUDGETS[n], submitted_at=now,
                                updated_at=now)
            session.add(proposal)
            await session.flush()
            session.add(ProposalNeed(proposal_id=proposal.id, wish_id=wishes[n % len(wishes)]))
            session.add_all([
                BudgetLine(proposal_id=proposal.id, position=0, item="材料费",
                           amount_fen=BUDGETS[n] - 500_000),
                BudgetLine(proposal_id=proposal.id, position=1, item="交通费",
                           amount_fen=500_000),
                Milestone(proposal_id=proposal.id, position=0, title="启动",
                          due_on=date(2027, 1, 15))])
            ids.append(proposal.id or 0)
        return found.id or 0, ids


async def set_up(h: Harness) -> World:
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant admin {CHIEF.id}", STREET_CHAT)
    await h.send(ADMIN, f"/grant admin {DEPUTY.id}", STREET_CHAT)
    for rep in (REP_EN, REP_HANS, REP_HANT):
        await h.send(ADMIN, f"/grant org_rep {rep.id}", COMMUNITY_CHAT)
    for person in (CHIEF, DEPUTY, REVIEWER, REP_EN, REP_HANS, REP_HANT):
        await h.send(person, "/start")
    await h.send(RESIDENT, "/wish 楼道的灯坏了一个月 电话13812345678", GRID_CHAT)
    wishes = [w.id or 0 for w in await rows(h, Wish)]
    round_id, proposals = await _round(h, RoundState.REVIEWING, -timedelta(days=1), wishes,
                                       (REP_EN, REP_HANS, REP_HANT))
    other_round, others = await _round(h, RoundState.REVIEWING, -timedelta(days=1), wishes,
                                       (REP_EN,))
    h.fake.clear()
    return World(round_id, proposals, other_round, others[0])


async def sweep(h: Harness) -> None:
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()


def now_shown(h: Harness, call: Call) -> Call:
    shown = h.fake.message(call.chat_id or 0, call.message_id)
    return Call("editMessageText", {"chat_id": call.chat_id, "message_id": call.message_id,
                                    "text": shown["text"],
                                    "reply_markup": shown.get("reply_markup")})


async def tap(h: Harness, who: Someone, form: Call, label: str) -> Call:
    await h.press(who, form, button(now_shown(h, form), label))
    return now_shown(h, form)


async def score(h: Harness, who: Someone, board: Call, n: int, values: list[int],
                note: str | None = None) -> Call:
    """Open the n-th proposal on the board, press a score per criterion and save."""
    await h.press(who, board, button(board, f"{n}. "))
    form = h.fake.last_to(who.id)
    for value in values:
        form = await tap(h, who, form, str(value))
    if note is None:
        form = await tap(h, who, form, en(h, "Skip"))
    else:
        await h.send(who, note)
        form = h.fake.last_to(who.id)
    save = button(now_shown(h, form), en(h, "✅ Save"))
    await h.press(who, form, save)
    return form


async def board_of(h: Harness, who: Someone, round_id: int) -> Call:
    await h.send(who, f"/score {round_id}")
    return h.fake.last_to(who.id)


async def scores(h: Harness) -> dict[tuple[int, int], dict[str, int]]:
    return {(s.proposal_id, s.reviewer_id): s.scores for s in await rows(h, ProposalScore)
            if s.stage == ScoreStage.SELECTION}


async def test_reviewers_score_hidden_until_all_scored_change_and_forged(
        harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    await h.send(CHIEF, f"/round_reviewers {world.round_id} @gao_sel")
    shown = h.fake.last_to(CHIEF.id).text
    assert en(h, "Named: {name}.", name=REVIEWER.name) in shown
    assert REVIEWER.name in shown and CHIEF.name in shown
    assert [r.person_id for r in await rows(h, RoundReviewer)] == [REVIEWER.id]
    assert "Reviewer Gao" not in "".join(h.fake.texts_to(STREET_CHAT))
    # The deputy is a street admin: a reviewer always, never named.
    await h.send(CHIEF, f"/round_reviewers {world.round_id} @wu_sel")
    assert en(h, "{name} is an admin of the street and reviews always.",
              name=DEPUTY.name) in h.fake.last_to(CHIEF.id).text

    # The sweep calls every reviewer once, privately.
    await sweep(h)
    await sweep(h)
    for who, rounds in ((CHIEF, 2), (DEPUTY, 2), (REVIEWER, 1)):
        calls = [t for t in h.fake.texts_to(who.id) if "proposals are closed" in t]
        assert len(calls) == rounds, who  # the admins review the other round too
    async with h.db.transaction() as session:
        found = await session.get(VentureRound, world.round_id)
        assert found is not None and found.review_called_at is not None

    # The reviewer scores the first proposal, with a note: the others' scores stay hidden.
    board = await board_of(h, REVIEWER, world.round_id)
    assert en(h, "  Not scored by you yet") in board.text
    await score(h, REVIEWER, board, 1, [4, 4, 3, 5], note="方案扎实")
    await score(h, CHIEF, await board_of(h, CHIEF, world.round_id), 1, [5, 5, 5, 5])
    board = await board_of(h, REVIEWER, world.round_id)
    assert "need fit 4 · feasibility 4 · cost 3 · the organisation's record 5" in board.text
    assert "need fit 5" not in board.text and CHIEF.name not in board.text
    assert en(h, "Other reviewers' scores are shown here once every reviewer has scored every "
                 "proposal ({count} still scoring). You may change your scores until the "
                 "selection.", count=3) in board.text

    # A button of another round's proposal, of a proposal of another round, by a stranger.
    forged = ScoreCb(step=ScoreStep.OPEN, round=world.round_id,
                     proposal=world.other_proposal).pack()
    await h.press(REVIEWER, board, forged)
    assert h.last_alert() == en(h, "That proposal is not one of this round's.")
    await h.press(REP_EN, board, ScoreCb(step=ScoreStep.OPEN, round=world.round_id,
                                         proposal=world.proposals[0]).pack())
    assert h.last_alert() == en(h, "You are not a reviewer of this round: only its street's "
                                   "admins and those they named score its proposals.")
    before = await scores(h)
    await h.press(REVIEWER, board, button(board, "2. "))
    form = h.fake.last_to(REVIEWER.id)
    await h.press(REVIEWER, form, ScoreCb(step=ScoreStep.SCORE, round=world.round_id,
                                          proposal=world.proposals[0], value="0.5").pack())
    assert h.last_alert() == en(h, "That proposal is not one of this round's.")
    await h.press(REVIEWER, form, ScoreCb(step=ScoreStep.SCORE, round=world.other_round,
                                          proposal=world.proposals[1], value="0.5").pack())
    assert h.last_alert() == en(h, "This button belongs to another form.")
    assert await scores(h) == before

    # Save pressed twice saves once.
    for value in (3, 3, 3, 3):
        form = await tap(h, REVIEWER, form, str(value))
    form = await tap(h, REVIEWER, form, en(h, "Skip"))
    save = button(now_shown(h, form), en(h, "✅ Save"))
    await h.press(REVIEWER, form, save)
    await h.press(REVIEWER, form, save)
    assert h.last_alert() == en(h, "This button is no longer valid.")
    assert len(await rows(h, ProposalScore)) == 3

    # Everyone scores everything: each reviewer is told once and sees every score.
    await score(h, REVIEWER, await board_of(h, REVIEWER, world.round_id), 3, [2, 3, 2, 2])
    await score(h, CHIEF, await board_of(h, CHIEF, world.round_id), 2, [4, 4, 4, 4])
    await score(h, CHIEF, await board_of(h, CHIEF, world.round_id), 3, [3, 3, 3, 3])
    for n in (1, 2):
        await score(h, DEPUTY, await board_of(h, DEPUTY, world.round_id), n, [4, 4, 4, 4])
    assert not [t for t in h.fake.texts_to(REVIEWER.id) if "Every reviewer has scored" in t]
    await score(h, DEPUTY, await board_of(h, DEPUTY, world.round_id), 3, [1, 1, 1, 1])
    for who in (CHIEF, DEPUTY, REVIEWER):
        told = [t for t in h.fake.texts_to(who.id) if "Every reviewer has scored" in t]
        assert len(told) == 1, who
    board = await board_of(h, REVIEWER, world.round_id)
    assert en(h, "<b>Everyone has scored. All reviewers' scores:</b>") in board.text
    assert f"{CHIEF.name}: need fit 5" in board.text and "方案扎实" in board.text

    # A changed score: one row, the new scores.
    await score(h, REVIEWER, board, 1, [2, 2, 2, 2])
    assert (await scores(h))[(world.proposals[0], REVIEWER.id)] == dict.fromkeys(CRITERIA, 2)
    assert len(await rows(h, ProposalScore)) == 9


async def _all_scored(h: Harness, world: World, *people: Someone) -> None:
    now = h.clock.now()
    async with h.db.transaction() as session:
        for who in people:
            for n, proposal_id in enumerate(world.proposals):
                session.add(ProposalScore(proposal_id=proposal_id, reviewer_id=who.id,
                                          scores=dict.fromkeys(CRITERIA, 5 - n), at=now))


async def _choose(h: Harness, who: Someone, round_id: int, titles: list[str]) -> Call:
    await h.send(who, f"/select {round_id}")
    form = h.fake.last_to(who.id)
    for title in titles:
        form = await tap(h, who, form, title)
    return form


async def test_selection_within_the_budget_and_its_announcement(harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    await h.send(ADMIN, "/lang", COMMUNITY_CHAT)
    await h.press_text(ADMIN, h.fake.last_to(COMMUNITY_CHAT), "繁體中文")
    await _all_scored(h, world, CHIEF)
    await h.send(CHIEF, f"/round_reviewers {world.round_id} @gao_sel")

    # Not everyone scored: a warning naming who has not, then the ranking.
    await h.send(CHIEF, f"/select {world.round_id}")
    warning = h.fake.last_to(CHIEF.id)
    assert "not every reviewer has scored" in warning.text
    assert f"{DEPUTY.name} (3 left)" in warning.text and f"{REVIEWER.name} (3 left)" \
        in warning.text
    form = await tap(h, CHIEF, warning, en(h, "Select anyway"))
    assert "mean 5" in form.text and "reviewers who scored it: 1)" in form.text
    form = await tap(h, CHIEF, form, TITLES[0])
    form = await tap(h, CHIEF, form, TITLES[1])
    assert en(h, "Chosen: {total} of the budget of {budget} ({left} left).",
              total="¥45,000", budget="¥50,000", left="¥5,000") in form.text
    # Over the budget: refused with the figures, nothing changes.
    await h.press(CHIEF, form, button(form, TITLES[2]))
    assert h.last_alert() == en(
        h, "Over the budget: {chosen} chosen and {this} for this project make {sum}, more "
           "than the round's {budget}. Nothing was changed.", chosen="¥45,000",
        this="¥15,000", sum="¥60,000", budget="¥50,000")
    assert "☐ 3. " in now_shown(h, form).text

    await h.press(CHIEF, form, button(now_shown(h, form), en(h, "Next ›")))
    await h.send(CHIEF, "需求最迫切，方案可行")
    await h.send(CHIEF, "成本合理")
    others = h.fake.last_to(CHIEF.id)
    assert "One by one" in str(others.buttons())
    await h.send(CHIEF, "预算已用完，欢迎下次申报")
    confirm = h.fake.last_to(CHIEF.id)
    assert "☑ 点亮楼道: 需求最迫切，方案可行" in confirm.text
    assert "☐ 四点半课堂: 预算已用完，欢迎下次申报" in confirm.text
    h.fake.clear()
    confirm_button = button(confirm, en(h, "✅ Confirm and announce"))
    await h.press(CHIEF, confirm, confirm_button)
    await h.press(CHIEF, confirm, confirm_button)
    assert h.last_alert() == en(h, "This button is no longer valid.")

    async with h.db.transaction() as session:
        found = await session.get(VentureRound, world.round_id)
        assert found is not None and found.state == RoundState.RUNNING
    states = {p.id: (p.state, p.reason) for p in await rows(h, Proposal)}
    assert states[world.proposals[0]] == (ProposalState.SELECTED, "需求最迫切，方案可行")
    assert states[world.proposals[1]] == (ProposalState.SELECTED, "成本合理")
    assert states[world.proposals[2]] == (ProposalState.NOT_SELECTED, "预算已用完，欢迎下次申报")

    # The street's chat reads Simplified Chinese, the community's Traditional: once each.
    street = h.fake.texts_to(STREET_CHAT)
    assert len(street) == 1
    assert translate(h, "zh_Hans", "Selected, {total} of the budget of {budget}:",
                     total="¥45,000", budget="¥50,000") in street[0]
    assert "点亮楼道" in street[0] and "需求最迫切，方案可行" in street[0]
    assert "13987654321" not in street[0] and "13812345678" not in street[0]
    community = h.fake.texts_to(COMMUNITY_CHAT)
    assert len(community) == 1
    assert translate(h, "zh_Hant", "Not selected:") in community[0]
    assert "預算" not in community[0] or "预算已用完" in community[0]
    # The proposers, privately, each in their language, once.
    (to_en,) = h.fake.texts_to(REP_EN.id)
    assert "was selected, with a budget of ¥25,000" in to_en and "Why: 需求最迫切" in to_en
    (to_hans,) = h.fake.texts_to(REP_HANS.id)
    assert translate(h, "zh_Hans", "Why: {reason}", reason="成本合理") in to_hans
    (to_hant,) = h.fake.texts_to(REP_HANT.id)
    assert translate(h, "zh_Hant", "Your proposal <b>{title}</b> in {round} was not selected "
                                   "this time.", title="四点半课堂",
                     round=translate(h, "zh_Hant", "Round {number} · {theme}",
                                     number=world.round_id, theme="楼道照明与助老")) in to_hant
    # The resident whose wish a selected project answers.
    (to_resident,) = h.fake.texts_to(RESIDENT.id)
    assert "the street office selected the project <b>点亮楼道</b>" in to_resident

    # Once selected, nothing changes: a score, another selection.
    await h.send(CHIEF, f"/select {world.round_id}")
    assert h.fake.last_to(CHIEF.id).text == en(
        h, "This round's projects have been selected already: nothing was changed.")


async def test_two_admins_selecting_at_once_one_wins(harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    await _all_scored(h, world, CHIEF, DEPUTY)
    forms = {}
    for who, titles in ((CHIEF, TITLES[:2]), (DEPUTY, (TITLES[0], TITLES[2]))):
        form = await _choose(h, who, world.round_id, list(titles))
        await h.press(who, form, button(now_shown(h, form), en(h, "Next ›")))
        await h.send(who, "理由一")
        await h.send(who, "理由二")
        await h.press_text(who, h.fake.last_to(who.id), en(h, "Skip"))
        forms[who.id] = h.fake.last_to(who.id)
    h.fake.clear()
    await asyncio.gather(*(
        h.press(who, forms[who.id], button(forms[who.id], en(h, "✅ Confirm and announce")),
                then_send=False) for who in (CHIEF, DEPUTY)))
    await h.app.sender.drain()
    selected = [p for p in await rows(h, Proposal)
                if p.round_id == world.round_id and p.state == ProposalState.SELECTED]
    assert len(selected) == 2 and sum(p.budget_fen for p in selected) <= 5_000_000
    assert len(h.fake.texts_to(STREET_CHAT)) == 1
    alerts = [alert for alert in h.fake.alerts() if alert]
    assert alerts == [en(h, "This round's projects have been selected already: nothing was "
                            "changed.")]


async def test_before_the_deadline_and_people_who_may_not(harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    early, _ids = await _round(h, RoundState.OPEN, timedelta(days=3), [1],
                               (REP_EN,))
    await h.send(CHIEF, f"/select {early}")
    assert h.fake.last_to(CHIEF.id).text == en(
        h, "Proposals are still being taken: the selection comes after the deadline.")
    await h.send(CHIEF, f"/score {early}")
    assert h.fake.last_to(CHIEF.id).text == en(
        h, "Proposals are still being taken: the selection comes after the deadline.")
    for who in (REP_EN, REVIEWER):
        await h.send(who, f"/select {world.round_id}")
        assert h.fake.last_to(who.id).text == en(
            h, "Only an admin of the round's street office may do that.")
        await h.send(who, f"/round_reviewers {world.round_id} @lin_sel")
        assert h.fake.last_to(who.id).text == en(
            h, "Only an admin of the round's street office may do that.")
    await h.send(REP_EN, f"/score {world.round_id}")
    assert h.fake.last_to(REP_EN.id).text == en(
        h, "You are not a reviewer of this round: only its street's admins and those they "
           "named score its proposals.")
    await h.send(CHIEF, "/score", STREET_CHAT)
    assert h.fake.last_to(STREET_CHAT).text == translate(
        h, "zh_Hans", "Scores and the selection are private: please send me this command in a "
                      "private chat.")
    assert await rows(h, RoundReviewer) == []

    # A named reviewer is removed by a button; their scores go with them.
    await h.send(CHIEF, f"/round_reviewers {world.round_id} @gao_sel")
    listing = h.fake.last_to(CHIEF.id)
    await h.press(REP_EN, listing, button(listing, f"✖ {REVIEWER.name}"))
    assert h.last_alert() == en(h, "Only an admin of the round's street office may do that.")
    await h.press(CHIEF, listing, button(listing, f"✖ {REVIEWER.name}"))
    assert await rows(h, RoundReviewer) == []
    await h.press(CHIEF, listing, button(listing, f"✖ {REVIEWER.name}"))
    assert h.last_alert() == en(h, "{name} is not a named reviewer of this round.",
                                name=REVIEWER.name)
    await h.send(REVIEWER, f"/score {world.round_id}")
    assert "You are not a reviewer" in h.fake.last_to(REVIEWER.id).text


async def test_the_confirm_adds_the_budgets_up_again(harness: Harness) -> None:
    """A selection whose form was filled before a proposal's budget changed, or made up: the
    transaction that would move the round refuses it, and nothing changes."""
    h = harness
    world = await set_up(h)
    async with h.db.transaction() as session:
        done = await selection.select_projects(
            session, world.round_id, chosen=dict.fromkeys(world.proposals, "好"), others={},
            by=CHIEF.id, now=h.clock.now())
    assert done.result is selection.Result.OVER_BUDGET and done.total_fen == 6_000_000
    async with h.db.transaction() as session:
        done = await selection.select_projects(
            session, world.round_id, chosen={world.other_proposal: "好"}, others={},
            by=CHIEF.id, now=h.clock.now())
    assert done.result is selection.Result.NOT_IN_ROUND
    async with h.db.transaction() as session:
        found = await session.get(VentureRound, world.round_id)
        assert found is not None and found.state == RoundState.REVIEWING
    assert {p.state for p in await rows(h, Proposal)} == {ProposalState.SUBMITTED}
    assert h.fake.texts_to(STREET_CHAT) == []


async def test_reasons_one_by_one_and_stale_buttons_of_the_form(harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    await _all_scored(h, world, CHIEF, DEPUTY)
    form = await _choose(h, CHIEF, world.round_id, [TITLES[0]])
    await h.press(CHIEF, form, button(now_shown(h, form), en(h, "Next ›")))
    await h.send(CHIEF, "需求最迫切")
    question = h.fake.last_to(CHIEF.id)
    each = button(question, en(h, "One by one"))
    await h.press(CHIEF, question, each)
    assert en(h, "Why is <b>{title}</b> not selected? Write the reason, or Skip.",
              title=TITLES[1]) == h.fake.last_to(CHIEF.id).text
    await h.press(CHIEF, question, each)
    assert h.last_alert() == en(h, "This button belongs to another form.")
    await h.send(CHIEF, "与已有服务重复")
    third = h.fake.last_to(CHIEF.id)
    assert TITLES[2] in third.text
    await h.press(CHIEF, third, button(third, en(h, "Skip")))
    confirm = h.fake.last_to(CHIEF.id)
    assert "☐ 长者饭堂: 与已有服务重复" in confirm.text and "☐ 四点半课堂\n" not in confirm.text
    assert confirm.text.endswith("☐ 四点半课堂")
    await h.press(CHIEF, third, button(third, en(h, "Skip")))
    assert h.last_alert() == en(h, "This button is no longer valid.")
    await h.press(CHIEF, confirm, button(confirm, en(h, "✅ Confirm and announce")))
    reasons = {p.id: (p.state, p.reason) for p in await rows(h, Proposal)}
    assert reasons[world.proposals[1]] == (ProposalState.NOT_SELECTED, "与已有服务重复")
    assert reasons[world.proposals[2]] == (ProposalState.NOT_SELECTED, None)


async def test_cancel_of_either_form_keeps_nothing(harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    board = await board_of(h, CHIEF, world.round_id)
    await h.press(CHIEF, board, button(board, "1. "))
    form = h.fake.last_to(CHIEF.id)
    form = await tap(h, CHIEF, form, "4")
    await h.press(CHIEF, form, button(form, en(h, "Cancel")))
    assert now_shown(h, form).text == en(h, "Cancelled. Nothing was saved.")
    assert await scores(h) == {}
    await _all_scored(h, world, CHIEF, DEPUTY)
    form = await _choose(h, CHIEF, world.round_id, [TITLES[0]])
    await h.press(CHIEF, form, button(form, en(h, "Cancel")))
    assert now_shown(h, form).text == en(h, "Cancelled. Nothing was saved.")
    assert {p.state for p in await rows(h, Proposal)} == {ProposalState.SUBMITTED}
    await h.send(CHIEF, "需求最迫切")
    async with h.db.transaction() as session:
        found = await session.get(VentureRound, world.round_id)
        assert found is not None and found.state == RoundState.REVIEWING
