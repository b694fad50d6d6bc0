"""One whole micro-venture round (微创投) end to end, driven as people would, by commands, forms
and buttons: a resident's wish climbs to the street and is adopted as a project; a street
admin opens a round; two organisation reps propose (one over the cap first); the deadline
passes; the reviewers score; a selection over the budget is refused and one within it
announced; the selected project's milestone is reminded the day before and escalated when
overdue; a progress report with a photo marks its milestones done; the resident answers; the
reviewers evaluate; the round's report and chart reach the street's chat, and the monthly
report and the export count the project. The privacy tripwire is on (the harness fixture):
the resident's phone never reaches a group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.jobs import sweep_once
from bot.links import Purpose
from storage.models import (
    Milestone,
    MilestoneState,
    ProgressReport,
    ProjectRating,
    Proposal,
    ProposalScore,
    ProposalState,
    RoundNeed,
    RoundState,
    ScoreStage,
    Tier,
    VentureRound,
    Wish,
    WishState,
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
from tests.test_exports_e2e import exported, row_of, sheets
from tests.test_venture_open_e2e import answer, form_of, rows, shown, tap

CHIEF = Someone(9001, "Street Admin Zhou", language_code="en", username="zhou_w")
REVIEWER = Someone(9002, "Reviewer Gao", language_code="en", username="gao_w")
REP = Someone(9003, "Org Rep Lin", language_code="en", username="lin_w")
REP2 = Someone(9004, "Org Rep Lam", language_code="zh-hant", username="lam_w")
PHONE = "13812345678"
WISH = f"楼道的灯坏了一个月，老人晚上出门看不清 电话{PHONE}"
THEME = "楼道照明与助老"
TITLE, TITLE2 = "点亮楼道", "四点半课堂"
HOUR = timedelta(hours=1)


def en(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "en", msgid, **values)


def zh(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "zh_Hans", msgid, **values)


def hant(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "zh_Hant", msgid, **values)


async def sweep(h: Harness) -> None:
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()


def at(h: Harness, moment: datetime) -> None:
    h.clock.advance(moment - h.clock.now())


def texts(h: Harness, chat_id: int) -> list[str]:
    return [str(c.text or c.params.get("caption") or "") for c in h.fake.sent(chat_id=chat_id)]


def said_before_last(h: Harness, who: Someone) -> str:
    """What the bot answered to a bad answer (the form is asked again after it)."""
    return h.fake.sent("sendMessage", who.id)[-2].text


# -- the steps -------------------------------------------------------------------------------


async def a_wish_adopted_by_the_street(h: Harness) -> int:
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant admin {CHIEF.id}", STREET_CHAT)
    await h.send(ADMIN, f"/grant org_rep {REP.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant org_rep {REP2.id}", COMMUNITY_CHAT)
    for person in (CHIEF, REVIEWER, REP, REP2):
        await h.send(person, "/start")
    await h.send(RESIDENT, f"/wish {WISH}", GRID_CHAT)
    h.clock.advance(49 * HOUR)
    await sweep(h)
    h.clock.advance(168 * HOUR)
    await sweep(h)
    (wish,) = await rows(h, Wish)
    assert (wish.state, wish.tier) == (WishState.OPEN, Tier.STREET)
    card = [c for c in h.fake.sent("sendMessage", STREET_CHAT) if "📌" in str(c.buttons())][-1]
    await h.press_text(CHIEF, card, "📌")
    prompt = h.fake.last_to(STREET_CHAT)
    await h.send(CHIEF, "列入街道微创投项目", STREET_CHAT,
                 reply_to=h.fake.message(STREET_CHAT, prompt.message_id))
    (wish,) = await rows(h, Wish)
    assert (wish.state, wish.claimer_id, wish.adopted_note) == (
        WishState.CLAIMED, CHIEF.id, "列入街道微创投项目")
    h.fake.clear()
    return wish.id or 0


async def a_round_opened(h: Harness, wish_id: int) -> int:
    await h.send(CHIEF, "/round", STREET_CHAT)
    assert h.fake.last_to(STREET_CHAT).text == zh(
        h, "The form for a new round opens in a private chat with me.")
    await h.send(CHIEF, h.start_link(Purpose.ROUND_FORM, 1))
    form = await answer(h, CHIEF, THEME)
    assert PHONE not in form.text and PHONE not in str(form.buttons())
    await tap(h, CHIEF, "#1 ")
    await tap(h, CHIEF, en(h, "Done ({count} chosen)", count=1))
    await answer(h, CHIEF, "5万")
    await answer(h, CHIEF, "3万")
    await answer(h, CHIEF, "2026年12月8日")
    await answer(h, CHIEF, "2026年12月10日")
    await tap(h, CHIEF, en(h, "Use the defaults"))
    form = await answer(h, CHIEF, "1")
    assert en(h, "Budget: {budget} in all, at most {cap} per project.", budget="¥50,000",
              cap="¥30,000") in form.text
    await h.press(CHIEF, form, button(form, en(h, "✅ Confirm")))
    (found,) = await rows(h, VentureRound)
    assert (found.theme, found.budget_fen, found.cap_fen, found.state, found.street_id) == (
        THEME, 5_000_000, 3_000_000, RoundState.OPEN, 1)
    assert [n.wish_id for n in await rows(h, RoundNeed)] == [wish_id]
    for chat in (STREET_CHAT, COMMUNITY_CHAT):
        (announced,) = [t for t in texts(h, chat) if THEME in t]
        assert zh(h, "Budget: {budget} in all, at most {cap} per project.", budget="¥50,000",
                  cap="¥30,000") in announced
        assert "楼道的灯坏了" in announced and PHONE not in announced
    for rep, locale in ((REP, "en"), (REP2, "zh_Hant")):
        (told,) = [c for c in h.fake.sent("sendMessage", rep.id) if THEME in c.text]
        assert translate(h, locale, "📝 Propose") in str(told.buttons())
    await h.send(CHIEF, f"/round_reviewers {found.id} @gao_w")
    assert en(h, "Named: {name}.", name=REVIEWER.name) in h.fake.last_to(CHIEF.id).text
    return found.id or 0


async def propose(h: Harness, who: Someone, locale: str, organisation: str, title: str,
                  lines: list[str], milestones: str) -> Call:
    await h.send(who, "/propose")
    await answer(h, who, organisation)
    await answer(h, who, title)
    await tap(h, who, "#1 ")
    await tap(h, who, translate(h, locale, "Done ({count} chosen)", count=1))
    await answer(h, who, "每周两次上门，先修灯，再陪伴老人出行。")
    for typed in lines:
        await answer(h, who, typed)
    await tap(h, who, translate(h, locale, "Done"))
    await answer(h, who, milestones)
    await tap(h, who, translate(h, locale, "Done"))
    await answer(h, who, "三名持证社工")
    return await tap(h, who, translate(h, locale, "✅ Submit"))


async def two_proposals(h: Harness) -> list[int]:
    # Over the cap (¥30,000): the lines that would pass it are refused, nothing kept of them.
    await h.send(REP, "/propose")
    await answer(h, REP, "阳光社工服务中心")
    await answer(h, REP, TITLE)
    await tap(h, REP, "#1 ")
    await tap(h, REP, en(h, "Done ({count} chosen)", count=1))
    await answer(h, REP, "更换楼道灯具，陪伴老人夜间出行。")
    await answer(h, REP, "灯具 20000")
    await answer(h, REP, "安装费 15000")
    assert said_before_last(h, REP) == en(
        h, "That makes {total}, over the round's cap of {cap} per project: these lines were "
           "not added.", total="¥35,000", cap="¥30,000")
    form = await answer(h, REP, "安装费 5000")
    assert en(h, "Total: {total} of at most {cap}", total="¥25,000", cap="¥30,000") in form.text
    await tap(h, REP, en(h, "Done"))
    await answer(h, REP, "2026-12-20 采购灯具\n2026-12-28 安装完成")
    await tap(h, REP, en(h, "Done"))
    await answer(h, REP, "三名持证社工")
    assert en(h, "Proposal #{id} is submitted.", id=1) in \
        (await tap(h, REP, en(h, "✅ Submit"))).text
    done = await propose(h, REP2, "zh_Hant", "青苗助学社", TITLE2, ["课程材料 28000"],
                         "2026-12-22 开课")
    assert hant(h, "Proposal #{id} is submitted.", id=2) in done.text
    proposals = await rows(h, Proposal)
    assert [(p.title, p.budget_fen, p.state) for p in proposals] == [
        (TITLE, 2_500_000, ProposalState.SUBMITTED), (TITLE2, 2_800_000, ProposalState.SUBMITTED)]
    assert not [t for t in texts(h, STREET_CHAT) + texts(h, COMMUNITY_CHAT) if TITLE in t]
    return [p.id or 0 for p in proposals]


async def score(h: Harness, who: Someone, round_id: int, n: int, values: list[int]) -> None:
    await h.send(who, f"/score {round_id}")
    board = h.fake.last_to(who.id)
    await h.press(who, board, button(board, f"{n}. "))
    read = h.fake.sent("sendMessage", who.id)[-2].text
    assert "楼道的灯坏了一个月" in read and PHONE not in read, "the need's phone is masked"
    form = h.fake.last_to(who.id)
    for value in values:
        await h.press(who, form, button(shown(h, form), str(value)))
    await h.press(who, form, button(shown(h, form), en(h, "Skip")))
    await h.press(who, form, button(shown(h, form), en(h, "✅ Save")))


async def deadline_and_scores(h: Harness, round_id: int, proposals: list[int]) -> None:
    at(h, datetime(2026, 12, 8, 16, 0, tzinfo=UTC))  # 9 December in Shanghai
    await sweep(h)
    await sweep(h)
    (found,) = await rows(h, VentureRound)
    assert found.state == RoundState.REVIEWING and found.review_called_at is not None
    for who in (CHIEF, REVIEWER):
        assert [t for t in texts(h, who.id) if "proposals are closed" in t], who
    await h.send(REP, "/propose")
    assert "There is no round you can propose in now" in h.fake.last_to(REP.id).text
    await score(h, CHIEF, round_id, 1, [5, 5, 4, 4])
    await score(h, CHIEF, round_id, 2, [3, 3, 3, 3])
    await score(h, REVIEWER, round_id, 1, [4, 4, 4, 4])
    await score(h, REVIEWER, round_id, 2, [3, 4, 3, 3])
    given = {(s.proposal_id, s.reviewer_id): s.scores for s in await rows(h, ProposalScore)
             if s.stage == ScoreStage.SELECTION}
    assert len(given) == 4
    assert given[(proposals[0], CHIEF.id)] == {"need_fit": 5, "feasibility": 5, "cost": 4,
                                                "record": 4}
    for who in (CHIEF, REVIEWER):
        assert len([t for t in texts(h, who.id) if "Every reviewer has scored" in t]) == 1


async def selection(h: Harness, round_id: int, proposals: list[int]) -> None:
    h.fake.clear()
    await h.send(CHIEF, f"/select {round_id}")
    form = h.fake.last_to(CHIEF.id)
    await h.press(CHIEF, form, button(shown(h, form), TITLE))
    await h.press(CHIEF, form, button(shown(h, form), TITLE2))
    assert h.last_alert() == en(
        h, "Over the budget: {chosen} chosen and {this} for this project make {sum}, more "
           "than the round's {budget}. Nothing was changed.", chosen="¥25,000",
        this="¥28,000", sum="¥53,000", budget="¥50,000")
    await h.press(CHIEF, form, button(shown(h, form), en(h, "Next ›")))
    await h.send(CHIEF, "需求最迫切，方案可行")
    await h.send(CHIEF, "预算已用完，欢迎下次申报")
    confirm = h.fake.last_to(CHIEF.id)
    await h.press(CHIEF, confirm, button(confirm, en(h, "✅ Confirm and announce")))
    assert form_of(h, CHIEF).text == en(
        h, "Projects selected: {count}, {total} of {budget}. The result is announced, and the "
           "proposers are told.", count=1, total="¥25,000", budget="¥50,000")
    (found,) = await rows(h, VentureRound)
    assert found.state == RoundState.RUNNING
    assert [(p.state, p.reason) for p in await rows(h, Proposal)] == [
        (ProposalState.SELECTED, "需求最迫切，方案可行"),
        (ProposalState.NOT_SELECTED, "预算已用完，欢迎下次申报")]
    for chat in (STREET_CHAT, COMMUNITY_CHAT):
        (announced,) = texts(h, chat)
        assert zh(h, "Selected, {total} of the budget of {budget}:", total="¥25,000",
                  budget="¥50,000") in announced
        assert TITLE in announced and "需求最迫切" in announced and PHONE not in announced
    (to_rep,) = texts(h, REP.id)
    assert "was selected, with a budget of ¥25,000" in to_rep
    (to_rep2,) = texts(h, REP2.id)
    assert hant(h, "Why: {reason}", reason="预算已用完，欢迎下次申报") in to_rep2
    (to_resident,) = texts(h, RESIDENT.id)
    assert f"the street office selected the project <b>{TITLE}</b>" in to_resident


async def milestones(h: Harness, proposal_id: int) -> None:
    h.fake.clear()
    at(h, datetime(2026, 12, 19, 6, 0, tzinfo=UTC))  # the day before the first is due
    await sweep(h)
    await sweep(h)
    reminders = [t for t in texts(h, REP.id) if t.startswith("⏰")]
    assert reminders == [en(
        h, "⏰ Milestone “{milestone}” of your micro-venture project “{project}” is due "
           "on {day}. Tell the street office how it goes (/progress, or the buttons "
           "below) and mark it done once it is reached.", milestone="采购灯具",
        project=TITLE, day="Sun, Dec 20")]
    assert not [t for t in texts(h, CHIEF.id) if "⚠️" in t]
    at(h, datetime(2026, 12, 20, 16, 0, tzinfo=UTC))  # 21 December: overdue
    await sweep(h)
    await sweep(h)
    escalated = [t for t in texts(h, CHIEF.id) if t.startswith("⚠️")]
    assert len(escalated) == 1 and "采购灯具" in escalated[0] and REP.name in escalated[0]
    assert zh(h, "⚠️ A milestone of micro-venture project #{id} “{project}” is overdue (due on "
                 "{day}).", id=proposal_id, project=TITLE, day="12月20日周日") in \
        texts(h, STREET_CHAT)
    first, second = [m for m in await rows(h, Milestone) if m.proposal_id == proposal_id]
    assert first.escalated_at is not None and second.reminded_at is None


def photo(file_id: str) -> dict[str, Any]:
    return {"photo": [{"file_id": file_id, "file_unique_id": file_id[-8:], "width": 800,
                       "height": 600}]}


async def report_progress(h: Harness, milestone: str, words: str, photos: list[str]) -> None:
    await h.send(REP, "/progress")
    await h.press_text(REP, h.fake.last_to(REP.id), milestone)
    await h.send(REP, words)
    for file_id in photos:
        await h.send(REP, "", **photo(file_id))
    await h.press_text(REP, h.fake.last_to(REP.id), en(h, "📤 Send, milestone reached"))


async def progress_and_answers(h: Harness, round_id: int, proposal_id: int) -> None:
    h.fake.clear()
    await report_progress(h, "采购灯具", "灯具已采购到位，共40盏", ["photo-lamps-0001"])
    await report_progress(h, "安装完成", "全部安装完成", [])
    reports = await rows(h, ProgressReport)
    assert [(r.text, r.photo_file_ids) for r in reports] == [
        ("灯具已采购到位，共40盏", ["photo-lamps-0001"]), ("全部安装完成", [])]
    assert {m.state for m in await rows(h, Milestone) if m.proposal_id == proposal_id} == \
        {MilestoneState.DONE}
    assert (await rows(h, Proposal))[0].state == ProposalState.COMPLETED
    assert (await rows(h, VentureRound))[0].state == RoundState.EVALUATING
    assert zh(h, "✅ Micro-venture project #{id} “{project}” has reached all its milestones.",
              id=proposal_id, project=TITLE) in texts(h, STREET_CHAT)
    asked = [c for c in h.fake.sent(chat_id=RESIDENT.id) if c.buttons()][-1]
    await h.press_text(RESIDENT, asked, en(h, "Solved"))
    assert h.last_alert() == en(h, "Thank you for your answer!")
    assert [(r.resident_id, r.score) for r in await rows(h, ProjectRating)] == [(RESIDENT.id, 5)]


async def evaluate(h: Harness, who: Someone, scores: list[str]) -> None:
    ask = [c for c in h.fake.sent(chat_id=who.id) if c.buttons()][-1]
    await h.press_text(who, ask, en(h, "📋 Evaluate"))
    form = h.fake.last_to(who.id)
    for value in scores:
        await h.press(who, form, button(shown(h, form), value))
    await h.press(who, form, button(shown(h, form), en(h, "Skip")))


async def final_evaluation_and_report(h: Harness, round_id: int) -> None:
    await evaluate(h, REVIEWER, ["4", "4", "4", "4"])
    assert (await rows(h, VentureRound))[0].state == RoundState.EVALUATING
    await evaluate(h, CHIEF, ["5", "4", "4", "3"])
    finals = [s for s in await rows(h, ProposalScore) if s.stage == ScoreStage.FINAL]
    assert len(finals) == 2
    (found,) = await rows(h, VentureRound)
    assert found.state == RoundState.FINISHED
    (chart,) = h.fake.sent("sendPhoto", STREET_CHAT)
    assert chart.upload("photo").data.startswith(b"\x89PNG")
    caption = str(chart.params.get("caption"))
    for line in (
            zh(h, "Report of micro-venture round #{id} “{theme}”", id=round_id, theme=THEME),
            zh(h, "Budget {budget}; milestones: {on_time} on time, {late} late, of {total}",
               budget="¥25,000", on_time=1, late=1, total=2),
            zh(h, "Residents: solved {solved}, partly solved {partly}, not solved "
                  "{not_solved}, not answered {unanswered}", solved=1, partly=0, not_solved=0,
               unanswered=0),
            zh(h, "Final evaluation ({count} reviewers): {means}", count=2, means=" · ".join([
                zh(h, "{criterion} {mean}", criterion=zh(h, "need fit"), mean="4.5"),
                zh(h, "{criterion} {mean}", criterion=zh(h, "feasibility"), mean="4"),
                zh(h, "{criterion} {mean}", criterion=zh(h, "cost"), mean="4"),
                zh(h, "{criterion} {mean}", criterion=zh(h, "the organisation's record"),
                   mean="3.5")]))):
        assert line in caption, line
    assert PHONE not in caption


async def monthly_report_and_export(h: Harness, round_id: int) -> None:
    h.fake.clear()
    await h.send(CHIEF, "/report month", STREET_CHAT)
    said = " ".join(texts(h, STREET_CHAT))
    assert zh(h, "Micro-venture projects: rounds running {rounds}, projects completed "
                 "{completed}; residents' answers: solved {solved}, partly {partly}, not "
                 "solved {not_solved}", rounds="1", completed="1", solved="1", partly="0",
              not_solved="0") in said
    await h.send(CHIEF, "/export 项目 2026-12 #1")
    (upload,) = await exported(h, CHIEF)
    table = sheets(upload)[en(h, "Micro-venture projects")]
    row = row_of(table, en(h, "Project"), TITLE)
    assert (row[en(h, "Round No.")], row[en(h, "Organisation")], row[en(h, "Budget (yuan)")],
            row[en(h, "Milestones on time")], row[en(h, "Milestones late")],
            row[en(h, "Solved")], row[en(h, "State")]) == (
        str(round_id), "阳光社工服务中心", 25000, 1, 1, 1, en(h, "completed"))


async def test_a_whole_round(harness: Harness) -> None:
    h = harness
    wish_id = await a_wish_adopted_by_the_street(h)
    round_id = await a_round_opened(h, wish_id)
    proposals = await two_proposals(h)
    await deadline_and_scores(h, round_id, proposals)
    await selection(h, round_id, proposals)
    await milestones(h, proposals[0])
    await progress_and_answers(h, round_id, proposals[0])
    await final_evaluation_and_report(h, round_id)
    await monthly_report_and_export(h, round_id)
    assert [r.wish_id for r in await rows(h, ProjectRating)] == [wish_id]


async def test_an_adopted_wish_stays_with_the_street_while_its_round_runs(
        harness: Harness) -> None:
    h = harness
    wish_id = await a_wish_adopted_by_the_street(h)
    await a_round_opened(h, wish_id)
    h.fake.clear()
    h.clock.advance(73 * HOUR)
    await sweep(h)
    (wish,) = await rows(h, Wish)
    assert (wish.state, wish.claimer_id) == (WishState.CLAIMED, CHIEF.id)
    assert texts(h, GRID_CHAT) == [] and texts(h, RESIDENT.id) == []
