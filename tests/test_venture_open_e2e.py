"""Micro-venture rounds (微创投) end to end, opening and proposals: a street admin opens a round
through the private form (bad answers at several steps, Back, a double Confirm), the round is
announced in the chats of the street and its communities and to organisation reps; reps
propose within and over the cap, a second proposal is refused, a proposal is changed and
withdrawn before the deadline and refused after; reviewers read proposals in full; the sweep
moves the round to review once. Everyone who may not is refused. The privacy tripwire is on:
the needs' residents' phones and addresses never reach a group."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.jobs import sweep_once
from bot.links import Purpose
from storage import ventures
from storage.models import (
    BudgetLine,
    Milestone,
    Person,
    Proposal,
    ProposalState,
    RoundNeed,
    RoundState,
    Tier,
    VentureRound,
    Wish,
    WishState,
)
from storage.people import Actor
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    STREET_CHAT,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)
from usecases import ventures as usecase

CHIEF = Someone(7001, "Street Admin Zhou", language_code="en", username="zhou_v")
BOSS = Someone(7002, "Community Admin Sun", language_code="en", username="sun_v")
REP = Someone(7003, "Org Rep Qian", language_code="en", username="qian_v")
REP2 = Someone(7004, "Org Rep Wu", username="wu_v")  # reads Simplified Chinese
REP3 = Someone(7005, "Org Rep Lam", language_code="zh-hant", username="lam_v")
NEEDS = ("独居老人家中无人照看，需要定期上门探访", "楼道照明长期损坏需要统一更换",
         "社区儿童放学后无人看护")
PHONE, ADDRESS = "13912345678", "幸福路8号3栋502"


def en(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "en", msgid, **values)


def zh(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "zh_Hans", msgid, **values)


def shown(h: Harness, call: Call) -> Call:
    now = h.fake.message(call.chat_id or 0, call.message_id)
    return Call("editMessageText", {"chat_id": call.chat_id, "message_id": call.message_id,
                                    "text": now["text"], "reply_markup": now.get("reply_markup")})


def form_of(h: Harness, who: Someone) -> Call:
    """The form's message now asking, as it is shown now."""
    return shown(h, h.fake.last_to(who.id))


async def tap(h: Harness, who: Someone, label: str) -> Call:
    form = form_of(h, who)
    await h.press(who, form, button(form, label))
    return form_of(h, who)


async def rows(h: Harness, model: Any) -> list[Any]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(model).order_by(model.id))).all())


async def adopted_needs(h: Harness) -> list[int]:
    """Wishes of the grid the street adopted as projects, each with a contact phone and address
    (the tripwire fails any group message that shows them)."""
    async with h.db.transaction() as session:
        found = []
        for text in NEEDS:
            wish = Wish(grid_id=3, resident_id=RESIDENT.id, text=text, category="elderly",
                        state=WishState.CLAIMED, tier=Tier.STREET, claimer_id=CHIEF.id,
                        adopted_note="作为微创投项目", contact_phone=PHONE,
                        contact_address=ADDRESS, created_at=h.clock.now())
            session.add(wish)
            await session.flush()
            found.append(wish.id or 0)
        return found


async def set_up(h: Harness) -> list[int]:
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant admin {CHIEF.id}", STREET_CHAT)
    await h.send(ADMIN, f"/grant admin {BOSS.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant org_rep {REP.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant org_rep {REP2.id}", GRID_CHAT)
    await h.send(ADMIN, f"/grant org_rep {REP3.id}", STREET_CHAT)
    for person in (CHIEF, BOSS, REP, REP2, REP3):
        await h.send(person, "/start")
    found = await adopted_needs(h)
    h.fake.clear()
    return found


async def answer(h: Harness, who: Someone, text: str) -> Call:
    await h.send(who, text)
    return form_of(h, who)


async def open_round(h: Harness) -> None:
    """The street admin's form, from the street's chat, with bad answers on the way."""
    await h.send(CHIEF, "/round", STREET_CHAT)
    reply = h.fake.last_to(STREET_CHAT)
    assert reply.text == zh(h, "The form for a new round opens in a private chat with me.")
    assert "start=round_1_" in reply.buttons()[0]["url"]
    await h.send(CHIEF, h.start_link(Purpose.ROUND_FORM, 1))
    form = form_of(h, CHIEF)
    assert "step 1 of 9" in form.text and "关爱独居老人" in form.text
    await answer(h, CHIEF, "关爱独居老人")
    form = await tap(h, CHIEF, "#1 ")
    form = await tap(h, CHIEF, "#2 ")
    form = await tap(h, CHIEF, "#2 ")  # off again
    assert "✅ #1" in str(form.buttons()) and "✅ #2" not in str(form.buttons())
    assert PHONE not in str(form.buttons())
    form = await tap(h, CHIEF, en(h, "Done ({count} chosen)", count=1))
    assert "step 3 of 9" in form.text
    # Bad answers: each is explained, the step asked again, nothing kept.
    form = await answer(h, CHIEF, "很多钱")
    assert h.fake.sent("sendMessage", CHIEF.id)[-2].text == en(
        h, "Please give the amount in yuan, e.g. 50000 or 5万.")
    assert "step 3 of 9" in form.text
    await answer(h, CHIEF, "5万")
    await answer(h, CHIEF, "60000")
    assert h.fake.sent("sendMessage", CHIEF.id)[-2].text == en(
        h, "The cap per project cannot be more than the budget ({budget}).", budget="¥50,000")
    await answer(h, CHIEF, "¥10,000")
    await answer(h, CHIEF, "2026-11-20")
    assert h.fake.sent("sendMessage", CHIEF.id)[-2].text == en(
        h, "The deadline must be a day in the future.")
    form = await answer(h, CHIEF, "12月10日")
    await answer(h, CHIEF, "12月5日")
    assert h.fake.sent("sendMessage", CHIEF.id)[-2].text == en(
        h, "The selection comes after the deadline for proposals ({due}).", due="Thu, Dec 10")
    # Back to the deadline, and on again.
    form = await tap(h, CHIEF, en(h, "‹ Back"))
    assert "Until which day" in form.text
    await answer(h, CHIEF, "2026年12月10日")
    await answer(h, CHIEF, "12月15日")
    form = await tap(h, CHIEF, en(h, "Use the defaults"))
    await answer(h, CHIEF, "十一")
    assert h.fake.sent("sendMessage", CHIEF.id)[-2].text == en(
        h, "Please give a number from 1 to {most}.", most=10)
    form = await answer(h, CHIEF, "2")
    assert en(h, "Budget: {budget} in all, at most {cap} per project.", budget="¥50,000",
              cap="¥10,000") in form.text
    assert en(h, "Criteria: {criteria}", criteria="need fit、feasibility、cost、the "
              "organisation's record") in form.text
    assert await rows(h, VentureRound) == [], "nothing is stored before Confirm"
    confirm = button(form, en(h, "✅ Confirm"))
    await h.press(CHIEF, form, confirm)
    assert en(h, "Round #{id} is open: it was announced in the chats of the street and its "
                 "communities, and to the street's organisation representatives. /rounds "
                 "shows it.", id=1) in form_of(h, CHIEF).text
    await h.press(CHIEF, form, confirm)
    assert h.last_alert() == en(h, "This button is no longer valid.")


async def test_a_street_admin_opens_a_round_and_it_is_announced(harness: Harness) -> None:
    h = harness
    needs = await set_up(h)
    await open_round(h)
    [found] = await rows(h, VentureRound)
    assert (found.theme, found.budget_fen, found.cap_fen, found.proposals_per_org,
            found.state, found.opened_by) == ("关爱独居老人", 5_000_000, 1_000_000, 2,
                                              RoundState.OPEN, CHIEF.id)
    assert found.criteria == ["need_fit", "feasibility", "cost", "record"]
    assert [n.wish_id for n in await rows(h, RoundNeed)] == [needs[0]]
    # In the chats of the community and the street, in their language, no contact field.
    for chat in (COMMUNITY_CHAT, STREET_CHAT):
        [announced] = [c for c in h.fake.sent("sendMessage", chat) if "#1" in c.text
                       and "关爱独居老人" in c.text]
        assert zh(h, "Budget: {budget} in all, at most {cap} per project.", budget="¥50,000",
                  cap="¥10,000") in announced.text
        assert NEEDS[0][:20] in announced.text and "幸福社区" in announced.text
        assert zh(h, "Organisation reps: send /propose to me in a private chat to propose a "
                     "project.") in announced.text
        assert announced.buttons() == []
    assert not [c for c in h.fake.sent("sendMessage", GRID_CHAT) if "关爱独居老人" in c.text]
    # Privately to each organisation rep, in their language, with Propose.
    for rep, locale in ((REP, "en"), (REP2, "zh_Hans"), (REP3, "zh_Hant")):
        [told] = [c for c in h.fake.sent("sendMessage", rep.id) if "关爱独居老人" in c.text]
        assert translate(h, locale, "Proposals per organisation: {count}", count=2) in told.text
        assert translate(h, locale, "📝 Propose") in str(told.buttons())
        assert PHONE not in told.text and ADDRESS not in told.text
    assert not [c for c in h.fake.sent("sendMessage", WORKER.id) if "关爱独居老人" in c.text]


async def test_who_may_not_open_a_round(harness: Harness) -> None:
    h = harness
    await set_up(h)
    refused = "Only an admin of the street office can open a micro-venture round."
    await h.send(WORKER, "/round", STREET_CHAT)
    assert h.fake.last_to(STREET_CHAT).text == zh(h, refused)
    await h.send(BOSS, "/round", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(h, refused)
    for who in (BOSS, REP, WORKER, RESIDENT):
        await h.send(who, "/round")
        assert h.fake.last_to(who.id).text == en(h, refused), who.name
    await h.send(BOSS, h.start_link(Purpose.ROUND_FORM, 1))
    assert h.fake.last_to(BOSS.id).text == en(h, refused)
    assert await rows(h, VentureRound) == []
    # /rounds: staff and reps of the street only.
    await h.send(RESIDENT, "/rounds")
    assert h.fake.last_to(RESIDENT.id).text == en(
        h, "Only the staff and organisation representatives of this street can see its "
           "micro-venture rounds.")
    await h.send(REP, "/propose")
    assert h.fake.last_to(REP.id).text == en(
        h, "There is no round you can propose in now: a round takes proposals from the "
           "representatives of organisations of its street, until its deadline.")
    await h.send(REP, "/propose", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
        h, "Proposals are made privately: please send /propose to me in a private chat.")


async def propose(h: Harness, who: Someone, organisation: str | None, title: str,
                  lines: list[str], locale: str = "en") -> Call:
    """An organisation rep's form from /propose to its summary."""
    await h.send(who, "/propose")
    if organisation is None:
        await tap(h, who, translate(h, locale, "Keep: {value}", value="")[:4])
    else:
        await answer(h, who, organisation)
    await answer(h, who, title)
    await tap(h, who, "#1 ")
    await tap(h, who, translate(h, locale, "Done ({count} chosen)", count=1))
    await answer(h, who, "每周两次上门探访，陪伴聊天，检查安全隐患。")
    for typed in lines:
        await answer(h, who, typed)
    await tap(h, who, translate(h, locale, "Done"))
    await answer(h, who, "2026-12-20 招募志愿者\n2027年1月15日 完成首轮探访")
    await tap(h, who, translate(h, locale, "Done"))
    return await answer(h, who, "三名持证社工，五年助老经验")


async def test_proposals_within_and_over_the_cap_changed_withdrawn_and_due(
        harness: Harness) -> None:
    h = harness
    await set_up(h)
    await open_round(h)
    h.fake.clear()
    # Over the cap (¥10,000): refused with the figures, nothing of that message kept.
    await h.send(REP, "/propose")
    await answer(h, REP, "阳光社工服务中心")
    await answer(h, REP, "银龄守护 联系13812345678")
    assert h.fake.sent("sendMessage", REP.id)[-2].text == en(
        h, "Please leave out phone, ID and other long numbers: a proposal is read by reviewers "
           "and may be announced; people reach your organisation through me.")
    await answer(h, REP, "银龄守护")
    await tap(h, REP, "#1 ")
    await tap(h, REP, en(h, "Done ({count} chosen)", count=1))
    await answer(h, REP, "每周两次上门探访。")
    await answer(h, REP, "场地租金 800\n材料费 1,200元")
    form = await answer(h, REP, "活动经费 9000")
    assert h.fake.sent("sendMessage", REP.id)[-2].text == en(
        h, "That makes {total}, over the round's cap of {cap} per project: these lines were "
           "not added.", total="¥11,000", cap="¥10,000")
    assert en(h, "Total: {total} of at most {cap}", total="¥2,000", cap="¥10,000") in form.text
    await answer(h, REP, "交通费")
    assert h.fake.sent("sendMessage", REP.id)[-2].text == en(
        h, "I could not read “{line}”. Write one item and its amount in yuan per line, e.g. "
           "场地租金 800.", line="交通费")
    await answer(h, REP, "交通费 500")
    await tap(h, REP, en(h, "Done"))
    await answer(h, REP, "2026-11-20 已经过去")
    assert h.fake.sent("sendMessage", REP.id)[-2].text == en(
        h, "“{line}”: a milestone's day comes after today.", line="2026-11-20 已经过去")
    await answer(h, REP, "2026-12-20 招募志愿者\n2027年1月15日 完成首轮探访")
    await tap(h, REP, en(h, "Done"))
    form = await answer(h, REP, "三名持证社工")
    assert en(h, "Budget: {total} (cap {cap})", total="¥2,500", cap="¥10,000") in form.text
    await tap(h, REP, en(h, "✅ Submit"))
    assert en(h, "Proposal #{id} is submitted.", id=1) in form_of(h, REP).text
    [proposal] = await rows(h, Proposal)
    assert (proposal.organisation, proposal.title, proposal.budget_fen, proposal.state) == (
        "阳光社工服务中心", "银龄守护", 250_000, ProposalState.SUBMITTED)
    assert [(b.item, b.amount_fen) for b in await rows(h, BudgetLine)] == [
        ("场地租金", 80_000), ("材料费", 120_000), ("交通费", 50_000)]
    assert [(m.due_on.isoformat(), m.title) for m in await rows(h, Milestone)] == [
        ("2026-12-20", "招募志愿者"), ("2027-01-15", "完成首轮探访")]
    # A second and a third: the round allows an organisation two.
    await propose(h, REP, None, "助老第二期", ["物资 1000"])
    done = await tap(h, REP, en(h, "✅ Submit"))
    assert {b["text"] for b in done.buttons()} == {en(h, "✏️ Change #{id}", id=2),
                                                  en(h, "Withdraw #{id}", id=2)}
    await propose(h, REP, None, "助老第三期", ["物资 1000"])
    await tap(h, REP, en(h, "✅ Submit"))
    assert form_of(h, REP).text == en(
        h, "Your organisation has already made as many proposals in this round as it allows. "
           "/my_proposals shows them: you may change one instead.")
    assert len(await rows(h, Proposal)) == 2
    # Another organisation, in Chinese.
    await propose(h, REP2, "和谐社工事务所", "邻里互助", ["物资 3000"], "zh_Hans")
    await tap(h, REP2, zh(h, "✅ Submit"))
    assert zh(h, "Proposal #{id} is submitted.", id=3) in form_of(h, REP2).text
    # Changed: one part from the summary, and withdrawn.
    await h.send(REP, "/my_proposals")
    mine = h.fake.last_to(REP.id)
    await h.press(REP, mine, button(mine, en(h, "✏️ Change #{id}", id=1)))
    await tap(h, REP, en(h, "✏️ {part}", part=en(h, "Title")))
    form = await answer(h, REP, "银龄守护计划")
    assert "银龄守护计划" in form.text and "✅" in str(form.buttons())
    # Every step again, each kept with a tap, back at the summary.
    await tap(h, REP, en(h, "↺ Every step again"))
    for label in ("Keep", "Keep", "Done (", "Keep", "Done", "Done", "Keep"):
        form = await tap(h, REP, label)
    assert en(h, "Please check your proposal, then Submit.") in form.text
    await tap(h, REP, en(h, "✅ Submit"))
    assert en(h, "Proposal #{id} is changed.", id=1) in form_of(h, REP).text
    assert (await rows(h, Proposal))[0].title == "银龄守护计划"
    assert len(await rows(h, BudgetLine)) == 5, "the lines were kept, not doubled"
    await h.press(REP, mine, button(mine, en(h, "Withdraw #{id}", id=2)))
    assert h.last_alert() == en(h, "Proposal #{id} is withdrawn.", id=2)
    await h.press(REP, mine, button(mine, en(h, "Withdraw #{id}", id=2)))
    assert h.last_alert() == en(h, "This proposal was withdrawn: it can no longer be changed.")
    await h.press(REP2, mine, button(mine, en(h, "Withdraw #{id}", id=1)))
    assert h.last_alert() == zh(h, "This is not your proposal.")
    assert [p.state for p in await rows(h, Proposal)] == [
        ProposalState.SUBMITTED, ProposalState.WITHDRAWN, ProposalState.SUBMITTED]
    # Reviewers read them in full, privately; a rep may not.
    await h.send(CHIEF, "/rounds", STREET_CHAT)
    listed = h.fake.last_to(STREET_CHAT)
    assert zh(h, "Proposals: {count} from {organisations} organisations; withdrawn: "
                 "{withdrawn}.", count=2, organisations=2, withdrawn=1) in listed.text
    await h.press(REP, listed, button(listed, zh(h, "📄 Proposals of #{id}", id=1)))
    assert h.last_alert() == zh(h, "Only the round's reviewers and its street's admins can "
                                   "read its proposals.")
    await h.press(CHIEF, listed, button(listed, zh(h, "📄 Proposals of #{id}", id=1)))
    of_round = h.fake.last_to(CHIEF.id)
    assert "银龄守护计划" in of_round.text and "助老第二期" not in of_round.text
    await h.press(CHIEF, of_round, button(of_round, en(h, "📄 Read #{id}", id=3)))
    full = h.fake.last_to(CHIEF.id).text
    assert "邻里互助" in full and "和谐社工事务所" in full and "2027" not in full
    assert en(h, "Budget: {total} (cap {cap})", total="¥3,000", cap="¥10,000") in full
    await h.press(BOSS, of_round, button(of_round, en(h, "📄 Read #{id}", id=3)))
    assert h.last_alert() == en(h, "Only the round's reviewers and its street's admins can "
                                   "read its proposals.")
    # The deadline passes: changes are refused; the sweep moves the round once.
    h.clock.advance(timedelta(days=16))
    await h.press(REP, mine, button(mine, en(h, "✏️ Change #{id}", id=1)))
    assert h.last_alert() == en(h, "The deadline for proposals of round #{id} has passed: "
                                   "proposals can no longer be changed or withdrawn.", id=1)
    await h.press(REP, mine, button(mine, en(h, "Withdraw #{id}", id=1)))
    assert h.last_alert() == en(h, "The deadline for proposals of round #{id} has passed: "
                                   "proposals can no longer be changed or withdrawn.", id=1)
    await h.send(REP, "/propose")
    assert "There is no round" in h.fake.last_to(REP.id).text
    h.fake.clear()
    await sweep_once(h.app.messenger)
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    [found] = await rows(h, VentureRound)
    assert found.state == RoundState.REVIEWING
    due = zh(h, "⏰ Micro-venture round #{id} ({theme}) takes no more proposals. Proposals "
                "received: {count}, from {organisations} organisations. Its reviewers will "
                "now score them.", id=1, theme="关爱独居老人", count=2, organisations=2)
    assert [c.text for c in h.fake.sent("sendMessage", STREET_CHAT)].count(due) == 1
    assert (await rows(h, Proposal))[0].state == ProposalState.SUBMITTED
    assert datetime(2026, 12, 10, 16, tzinfo=UTC) == found.proposals_due_at.replace(
        tzinfo=UTC)


async def test_two_confirms_and_two_withdrawals_at_once(harness: Harness) -> None:
    """Pressed at the same moment (two devices, a retried update): one round, one withdrawal."""
    h = harness
    needs = await set_up(h)
    async with h.db.transaction() as session:
        chief = Actor(await session.get(Person, CHIEF.id))  # type: ignore[arg-type]
        rep = Actor(await session.get(Person, REP.id))  # type: ignore[arg-type]
    draft = ventures.RoundDraft(street_id=1, theme="楼道照明", wish_ids=needs[1:],
                                budget_fen=2_000_000, cap_fen=500_000,
                                due_on=date(2026, 12, 10), selection_on=date(2026, 12, 12))
    outcomes = await asyncio.gather(*(usecase.open_round(
        h.app.messenger, chief, draft, now=h.clock.now(), source_key="round:same")
        for _ in range(2)))
    assert sorted(o.result for o in outcomes) == [ventures.Result.ALREADY, ventures.Result.OK]
    [found] = await rows(h, VentureRound)
    assert {o.round.id for o in outcomes if o.round} == {found.id}
    proposal = ventures.ProposalDraft(
        organisation="阳光社工服务中心", title="照亮楼道", wish_ids=[needs[1]], plan="更换灯具",
        lines=[("灯具", 300_000)], milestones=[(date(2026, 12, 20), "完工")], team="电工两名")
    done = await usecase.propose(h.db, rep, found.id or 0, proposal, now=h.clock.now(),
                                 source_key="proposal:one")
    assert done.ok and done.proposal is not None
    over = await usecase.propose(h.db, rep, found.id or 0, ventures.ProposalDraft(
        **{**proposal.__dict__, "lines": [("灯具", 600_000)]}), now=h.clock.now(),
        source_key="proposal:two")
    assert over.result is ventures.Result.OVER_CAP
    taken = await asyncio.gather(*(usecase.withdraw(h.db, rep, done.proposal.id or 0,
                                                    now=h.clock.now()) for _ in range(2)))
    assert sorted(t.result for t in taken) == [ventures.Result.OK, ventures.Result.WRONG_STATE]
    assert [p.state for p in await rows(h, Proposal)] == [ProposalState.WITHDRAWN]
    # The announcement went out once to each chat, though Confirm came twice.
    await h.app.sender.drain()
    for chat in (COMMUNITY_CHAT, STREET_CHAT, REP.id):
        assert len([c for c in h.fake.sent("sendMessage", chat) if "楼道照明" in c.text]) == 1


async def test_many_needs_a_page_at_a_time_and_cancel(harness: Harness) -> None:
    h = harness
    await set_up(h)
    async with h.db.transaction() as session:
        for n in range(8):
            session.add(Wish(grid_id=3, resident_id=RESIDENT.id, text=f"第{n + 4}项需求：修缮",
                             category="other", state=WishState.CLAIMED, tier=Tier.STREET,
                             claimer_id=CHIEF.id, adopted_note="采纳", created_at=h.clock.now()))
    await h.send(CHIEF, "/round")  # privately: the one street they administer
    await answer(h, CHIEF, "社区微更新")
    form = form_of(h, CHIEF)
    assert len([b for b in form.buttons() if b["text"].lstrip("✅ ").startswith("#")]) == 8
    form = await tap(h, CHIEF, en(h, "Next ›"))
    assert [b["text"] for b in form.buttons() if b["text"].startswith("#")] == [
        f"#{n} 第{n}项需求：修缮 · 幸福社区" for n in (9, 10, 11)]
    form = await tap(h, CHIEF, "#11 ")
    form = await tap(h, CHIEF, en(h, "‹ Previous"))
    assert "#1 " in str(form.buttons())
    assert en(h, "Done ({count} chosen)", count=1) in str(form.buttons())
    form = await tap(h, CHIEF, en(h, "Cancel"))
    assert form.text == en(h, "Cancelled. Nothing was saved.")
    assert await rows(h, VentureRound) == []
