"""Micro-venture projects under way and the round's final evaluation end to end: a milestone
reminded once and escalated once (no name in the street's chat), a progress report with
photos, completion, the residents' answers (one twice, one forged), the reviewers' final
evaluation, the round's report and chart in the street's chat in one language and another,
and every role that may not act refused.

The round is set up with rows (its opening and selection are other flows'): a RUNNING round
of the street with one SELECTED project of two milestones, answering two wishes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.jobs import sweep_once
from storage import people
from storage.models import (
    Milestone,
    MilestoneState,
    ProgressReport,
    ProjectRating,
    Proposal,
    ProposalNeed,
    ProposalScore,
    ProposalState,
    RoundReviewer,
    RoundState,
    ScoreStage,
    VentureRound,
    Wish,
)
from storage.people import Actor
from storage.venture_progress import Result
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    STREET_CHAT,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)
from tests.test_exports_e2e import exported, row_of, sheets
from usecases import venture_progress as usecase

CHIEF = Someone(7001, "Street Admin Zhou", language_code="en", username="zhou_v")
REP = Someone(7002, "Org Rep Lin", language_code="en", username="lin_v")
REVIEWER = Someone(7003, "Reviewer Gao", language_code="en", username="gao_v")
OTHER_REP = Someone(7004, "Org Rep Ma", language_code="en", username="ma_v")
CRITERIA = ["need_fit", "feasibility", "cost", "record"]
STREET_ID = 1


def en(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "en", msgid, **values)


def zh(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "zh_Hans", msgid, **values)


@dataclass(frozen=True)
class World:
    round_id: int
    proposal_id: int
    milestones: list[int]
    wishes: list[int]  # RESIDENT's, NEIGHBOUR's


async def rows(h: Harness, model: Any) -> list[Any]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(model).order_by(model.id))).all())


async def set_up(h: Harness) -> World:
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant admin {CHIEF.id}", STREET_CHAT)
    await h.send(ADMIN, f"/grant org_rep {REP.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant org_rep {OTHER_REP.id}", COMMUNITY_CHAT)
    for person in (CHIEF, REP, REVIEWER, OTHER_REP, NEIGHBOUR):
        await h.send(person, "/start")
    await h.send(RESIDENT, "/wish 楼道的灯坏了一个月 电话13812345678", GRID_CHAT)
    await h.send(NEIGHBOUR, "/wish 楼下路灯不亮，晚上回家看不见", GRID_CHAT)
    wishes = [w.id for w in await rows(h, Wish)]
    now = h.clock.now()
    async with h.db.transaction() as session:
        found = VentureRound(street_id=STREET_ID, theme="楼道照明", budget_fen=5_000_000,
                             cap_fen=3_000_000, proposals_due_at=now - timedelta(days=30),
                             selection_on=date(2026, 11, 1), criteria=CRITERIA,
                             state=RoundState.RUNNING, opened_by=CHIEF.id,
                             selected_at=now - timedelta(days=20), created_at=now)
        session.add(found)
        await session.flush()
        proposal = Proposal(round_id=found.id, rep_id=REP.id, organisation="阳光社工服务中心",
                            title="点亮楼道", plan="更换灯具", team="三名社工",
                            budget_fen=2_500_000, state=ProposalState.SELECTED,
                            submitted_at=now, updated_at=now)
        session.add(proposal)
        await session.flush()
        session.add_all([ProposalNeed(proposal_id=proposal.id, wish_id=w) for w in wishes])
        steps = [Milestone(proposal_id=proposal.id, position=1, title="采购灯具",
                           due_on=date(2026, 11, 26)),
                 Milestone(proposal_id=proposal.id, position=2, title="安装完成",
                           due_on=date(2026, 12, 10))]
        session.add_all(steps)
        session.add(RoundReviewer(round_id=found.id, person_id=REVIEWER.id, named_by=CHIEF.id,
                                  named_at=now))
        await session.flush()
        world = World(found.id or 0, proposal.id or 0, [m.id or 0 for m in steps], wishes)
    h.fake.clear()
    return world


async def sweep(h: Harness) -> None:
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()


def at(h: Harness, moment: datetime) -> None:
    h.clock.advance(moment - h.clock.now())


def texts(h: Harness, chat_id: int) -> list[str]:
    return [c.text for c in h.fake.sent(chat_id=chat_id) if c.text]


async def test_a_milestone_is_reminded_once_and_escalated_once(harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    await sweep(h)  # 25 November in Shanghai: the first milestone is due tomorrow
    reminder = h.fake.last_to(REP.id)
    assert en(h, "⏰ Milestone “{milestone}” of your micro-venture project “{project}” is due "
                 "on {day}. Tell the street office how it goes (/progress, or the buttons "
                 "below) and mark it done once it is reached.", milestone="采购灯具",
              project="点亮楼道", day="Thu, Nov 26") == reminder.text
    await sweep(h)
    assert len([t for t in texts(h, REP.id) if "⏰" in t]) == 1
    await h.press_text(REP, reminder, en(h, "📝 Report progress"))
    assert h.fake.last_to(REP.id).text == en(
        h, "Write what has been done for #{id} {project} (up to {limit} characters); /cancel "
           "stops.", id=world.proposal_id, project="点亮楼道", limit=2000)
    await h.send(REP, "/cancel")
    await h.send(REP, "/project abc")
    assert h.fake.last_to(REP.id).text == en(h, "Please give the project's number, e.g. "
                                                "/project 12.")
    assert not h.fake.sent(chat_id=STREET_CHAT)

    at(h, datetime(2026, 11, 26, 15, 59, tzinfo=UTC))  # 23:59 on its day: not yet overdue
    await sweep(h)
    assert not h.fake.sent(chat_id=CHIEF.id)
    at(h, datetime(2026, 11, 26, 16, 0, tzinfo=UTC))  # 27 November in Shanghai
    await asyncio.gather(sweep_once(h.app.messenger), sweep_once(h.app.messenger))
    await sweep(h)
    to_chief = [t for t in texts(h, CHIEF.id) if "⚠️" in t]
    assert to_chief == [en(
        h, "⚠️ Milestone “{milestone}” of micro-venture project #{id} “{project}” "
           "({organisation}, round “{theme}”) was due on {day} and is not done. The "
           "organisation's representative: {rep}. Its progress: /project {id}",
        milestone="采购灯具", id=world.proposal_id, project="点亮楼道",
        organisation="阳光社工服务中心", theme="楼道照明", day="Thu, Nov 26", rep=REP.name)]
    in_chat = texts(h, STREET_CHAT)
    assert in_chat == [zh(h, "⚠️ A milestone of micro-venture project #{id} “{project}” is "
                             "overdue (due on {day}).", id=world.proposal_id, project="点亮楼道",
                          day="11月26日周四")]
    assert REP.name not in in_chat[0] and "lin_v" not in in_chat[0]
    first, second = await rows(h, Milestone)
    assert first.reminded_at is not None and first.escalated_at is not None
    assert second.reminded_at is None and second.escalated_at is None
    # Another organisation's representative cannot mark it done from a forwarded button.
    await h.press(OTHER_REP, reminder, button(reminder, en(h, "✅ Mark done")))
    assert h.last_alert() == en(h, "Only the project's organisation representative can do "
                                   "this.")
    await h.press(REP, reminder, button(reminder, en(h, "✅ Mark done")))
    assert (await rows(h, Milestone))[0].state == MilestoneState.DONE
    await h.press(REP, reminder, button(reminder, en(h, "✅ Mark done")))
    assert h.last_alert() == en(h, "This is done already.")


def photo(file_id: str) -> dict[str, Any]:
    return {"photo": [{"file_id": file_id, "file_unique_id": file_id[-8:], "width": 800,
                       "height": 600}]}


async def report_progress(h: Harness, milestone: str, words: str, photos: list[str],
                          done: bool) -> Call:
    await h.send(REP, "/progress")
    form = h.fake.last_to(REP.id)
    await h.press_text(REP, form, milestone)
    assert en(h, "Write what has been done for #{id} {project} (up to {limit} characters); "
                 "/cancel stops.", id=1, project="点亮楼道", limit=2000) in \
        h.fake.last_to(REP.id).text
    await h.send(REP, words)
    for file_id in photos:
        await h.send(REP, "", **photo(file_id))
    prompt = h.fake.last_to(REP.id)
    label = en(h, "📤 Send, milestone reached") if done else en(h, "📤 Send")
    await h.press_text(REP, prompt, label)
    return prompt


async def evaluate(h: Harness, who: Someone, scores: list[str], note: str | None) -> None:
    ask = [c for c in h.fake.sent(chat_id=who.id) if c.buttons()][-1]
    await h.press_text(who, ask, en(h, "📋 Evaluate"))
    form = h.fake.last_to(who.id)
    for score in scores:
        await h.press(who, form, button(now_shown(h, form), score))
    if note is None:
        await h.press(who, form, button(now_shown(h, form), en(h, "Skip")))
    else:
        await h.send(who, note)


def now_shown(h: Harness, call: Call) -> Call:
    shown = h.fake.message(call.chat_id or 0, call.message_id)
    return Call("editMessageText", {"chat_id": call.chat_id, "message_id": call.message_id,
                                    "text": shown["text"],
                                    "reply_markup": shown.get("reply_markup")})


async def complete(h: Harness, world: World) -> None:
    prompt = await report_progress(h, "采购灯具", "灯具已采购到位，共40盏",
                                   ["photo-lamps-0001", "photo-lamps-0002"], done=True)
    saved = h.fake.message(REP.id, prompt.message_id)["text"]
    assert en(h, "Thank you: your progress report is saved. The street office sees it with "
                 "/project {id}.", id=world.proposal_id) in saved
    assert en(h, "Milestone “{milestone}” is marked done.", milestone="采购灯具") in saved
    # Send pressed twice: the form is over, one report is kept.
    await h.press_text(REP, prompt, en(h, "📤 Send, milestone reached"))
    assert len(await rows(h, ProgressReport)) == 1
    await report_progress(h, "安装完成", "全部安装完成", [], done=True)


async def test_progress_completion_answers_final_evaluation_and_report(
        harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    at(h, datetime(2026, 11, 27, 2, 0, tzinfo=UTC))  # the first milestone a day late
    await complete(h, world)
    first, second = await rows(h, ProgressReport)
    assert first.photo_file_ids == ["photo-lamps-0001", "photo-lamps-0002"]
    assert first.milestone_id == world.milestones[0] and first.text == "灯具已采购到位，共40盏"
    assert second.photo_file_ids == []
    (proposal,) = await rows(h, Proposal)
    assert proposal.state == ProposalState.COMPLETED
    (found,) = await rows(h, VentureRound)
    assert found.state == RoundState.EVALUATING and found.evaluation_called_at is not None
    in_chat = texts(h, STREET_CHAT)
    assert zh(h, "✅ Micro-venture project #{id} “{project}” has reached all its milestones.",
              id=world.proposal_id, project="点亮楼道") in in_chat
    assert zh(h, "📋 The final evaluation of micro-venture round #{id} “{theme}” has begun: "
                 "the residents whose needs its projects took up are asked whether they were "
                 "solved, and the reviewers evaluate each project.", id=world.round_id,
              theme="楼道照明") in in_chat

    # The street admin sees the project: milestones, the report and its photos again.
    await h.send(CHIEF, f"/project {world.proposal_id}")
    shown = [c for c in h.fake.sent(chat_id=CHIEF.id) if c.method == "sendMessage"][-1]
    assert "灯具已采购到位，共40盏" in shown.text
    assert en(h, "• {milestone}: {state}", milestone=en(
        h, "{milestone} (due {day})", milestone="采购灯具", day="Thu, Nov 26"),
        state=en(h, "done, late")) in shown.text
    assert [c.params["photo"] for c in h.fake.sent("sendPhoto", CHIEF.id)] == [
        "photo-lamps-0001", "photo-lamps-0002"]
    await h.send(RESIDENT, f"/project {world.proposal_id}")
    assert h.fake.last_to(RESIDENT.id).text == en(
        h, "Only the street office's admins and the round's reviewers can do this.")

    # The residents: each asked privately; one answers twice, one button forged.
    ask_neighbour = [c for c in h.fake.sent(chat_id=NEIGHBOUR.id) if c.buttons()][-1]
    assert zh(h, "Partly solved") in [b["text"] for b in ask_neighbour.buttons()]
    asked = [c for c in h.fake.sent(chat_id=RESIDENT.id) if c.buttons()][-1]
    await h.press_text(RESIDENT, asked, en(h, "Solved"))
    assert h.last_alert() == en(h, "Thank you for your answer!")
    await h.press(RESIDENT, asked, button(asked, en(h, "Not solved")))
    assert h.last_alert() == en(h, "This is done already.")
    await h.press(RESIDENT, ask_neighbour, button(ask_neighbour, zh(h, "Not solved")))
    assert h.last_alert() == en(h, "This question is about another resident's micro-wish.")
    await h.press_text(NEIGHBOUR, ask_neighbour, zh(h, "Partly solved"))
    assert sorted((r.resident_id, r.score) for r in await rows(h, ProjectRating)) == [
        (RESIDENT.id, 5), (NEIGHBOUR.id, 3)]

    # The reviewers: the named one, then the street admin; the round finishes itself.
    await evaluate(h, REVIEWER, ["4", "4", "4", "4"], None)
    assert (await rows(h, VentureRound))[0].state == RoundState.EVALUATING
    await evaluate(h, CHIEF, ["5", "3", "4", "2"], "总体完成较好")
    scores = [(s.reviewer_id, s.scores, s.note) for s in await rows(h, ProposalScore)
              if s.stage == ScoreStage.FINAL]
    assert sorted(scores) == [
        (CHIEF.id, {"need_fit": 5, "feasibility": 3, "cost": 4, "record": 2}, "总体完成较好"),
        (REVIEWER.id, {"need_fit": 4, "feasibility": 4, "cost": 4, "record": 4}, None)]
    (found,) = await rows(h, VentureRound)
    assert found.state == RoundState.FINISHED and found.finished_at is not None
    (chart,) = h.fake.sent("sendPhoto", STREET_CHAT)
    caption = str(chart.params.get("caption"))
    for line in (
            zh(h, "Report of micro-venture round #{id} “{theme}”", id=world.round_id,
               theme="楼道照明"),
            zh(h, "Budget {budget}; milestones: {on_time} on time, {late} late, of {total}",
               budget="¥25,000", on_time=1, late=1, total=2),
            zh(h, "Residents: solved {solved}, partly solved {partly}, not solved "
                  "{not_solved}, not answered {unanswered}", solved=1, partly=1, not_solved=0,
               unanswered=0),
            zh(h, "Final evaluation ({count} reviewers): {means}", count=2, means=" · ".join([
                zh(h, "{criterion} {mean}", criterion=zh(h, "need fit"), mean="4.5"),
                zh(h, "{criterion} {mean}", criterion=zh(h, "feasibility"), mean="3.5"),
                zh(h, "{criterion} {mean}", criterion=zh(h, "cost"), mean="4"),
                zh(h, "{criterion} {mean}", criterion=zh(h, "the organisation's record"),
                   mean="3")]))):
        assert line in caption, line
    assert chart.upload("photo").data.startswith(b"\x89PNG")
    # Finishing again changes nothing.
    await h.send(CHIEF, f"/finish_round {world.round_id}")
    assert h.fake.last_to(CHIEF.id).text == en(h, "The round is not at that step.")

    # The street's monthly report counts the round, the project and the residents' answers.
    h.fake.clear()
    await h.send(CHIEF, "/report month", STREET_CHAT)
    said = " ".join(str(c.params.get("caption") or c.params.get("text") or "")
                    for c in h.fake.sent(chat_id=STREET_CHAT))
    assert zh(h, "Micro-venture projects: rounds running {rounds}, projects completed "
                 "{completed}; residents' answers: solved {solved}, partly {partly}, not "
                 "solved {not_solved}", rounds="1", completed="1", solved="1", partly="1",
              not_solved="0") in said
    # The export: one row per project, its milestones in a cell.
    await h.send(CHIEF, f"/export 项目 2026-11 #{STREET_ID}")
    (upload,) = await exported(h, CHIEF)
    table = sheets(upload)[en(h, "Micro-venture projects")]
    row = row_of(table, en(h, "Project"), "点亮楼道")
    assert (row[en(h, "Round No.")], row[en(h, "Organisation")], row[en(h, "Budget (yuan)")],
            row[en(h, "Milestones on time")], row[en(h, "Milestones late")],
            row[en(h, "Solved")], row[en(h, "Partly solved")], row[en(h, "Not answered")],
            row[en(h, "State")]) == (str(world.round_id), "阳光社工服务中心", 25000, 1, 1, 1, 1, 0,
                                     en(h, "completed"))
    assert row[en(h, "Milestones")] == "\n".join([
        en(h, "{milestone}: due {due}, done {done}", milestone="采购灯具", due="2026-11-26",
           done="2026-11-27"),
        en(h, "{milestone}: due {due}, done {done}", milestone="安装完成", due="2026-12-10",
           done="2026-11-27")])


async def test_an_admin_calls_the_evaluation_and_finishes_the_round_in_english(
        harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    await h.send(ADMIN, "/lang", STREET_CHAT)
    await h.press_text(ADMIN, h.fake.last_to(STREET_CHAT), "English")
    await h.send(RESIDENT, f"/evaluate_round {world.round_id}", STREET_CHAT)
    assert h.fake.last_to(STREET_CHAT).text == en(
        h, "Only an admin of the round's street office can do this.")
    await h.send(CHIEF, "/evaluate_round round", STREET_CHAT)
    assert h.fake.last_to(STREET_CHAT).text == en(
        h, "Please give the round's number, e.g. /{command} 3.", command="evaluate_round")
    h.fake.unreachable.add(RESIDENT.id)  # blocked the bot: never asked, counted as not answered
    await h.send(CHIEF, f"/evaluate_round {world.round_id}", STREET_CHAT)
    confirm = h.fake.last_to(STREET_CHAT)
    await h.press_text(RESIDENT, confirm, en(h, "Confirm"))
    assert h.last_alert() == en(h, "Only an admin of the round's street office can do this.")
    assert (await rows(h, VentureRound))[0].state == RoundState.RUNNING
    await h.press_text(CHIEF, confirm, en(h, "Confirm"))
    assert (await rows(h, VentureRound))[0].state == RoundState.EVALUATING
    await h.press(CHIEF, confirm, button(confirm, en(h, "Confirm")))
    assert len(await rows(h, ProjectRating)) == 2
    # The progress is no longer reported once the evaluation is called.
    await h.send(REP, "/progress")
    assert en(h, "You have no micro-venture project under way to report on. Projects are "
                 "reported on by their organisation's representative once selected.") == \
        h.fake.last_to(REP.id).text
    # Only the neighbour answers; the resident, never reached, is counted as not answered.
    assert [getattr(c.result, "code", None) for c in h.fake.sent(chat_id=RESIDENT.id)
            if c.buttons()] == [403]
    ask = [c for c in h.fake.sent(chat_id=NEIGHBOUR.id) if c.buttons()][-1]
    await h.press_text(NEIGHBOUR, ask, zh(h, "Not solved"))
    await h.send(CHIEF, f"/finish_round {world.round_id}", STREET_CHAT)
    await h.press_text(CHIEF, h.fake.last_to(STREET_CHAT), en(h, "Confirm"))
    (found,) = await rows(h, VentureRound)
    assert found.state == RoundState.FINISHED
    (chart,) = h.fake.sent("sendPhoto", STREET_CHAT)
    caption = str(chart.params.get("caption"))
    assert en(h, "Residents: solved {solved}, partly solved {partly}, not solved "
                 "{not_solved}, not answered {unanswered}", solved=0, partly=0, not_solved=1,
              unanswered=1) in caption
    assert en(h, "Budget {budget}; milestones: {on_time} on time, {late} late, of {total}",
              budget="¥25,000", on_time=0, late=0, total=2) in caption
    assert en(h, "Final evaluation ({count} reviewers): {means}", count=0, means=" · ".join(
        en(h, "{criterion} {mean}", criterion=en(h, name), mean="–")
        for name in ("need fit", "feasibility", "cost", "the organisation's record"))) in caption
    # A reviewer's button after the round finished changes nothing.
    ask = [c for c in h.fake.sent(chat_id=REVIEWER.id) if c.buttons()][-1]
    await h.press_text(REVIEWER, ask, en(h, "📋 Evaluate"))
    assert h.last_alert() == en(h, "The project or its round is not at that step.")


async def test_the_last_two_evaluations_at_once_finish_the_round_once(harness: Harness) -> None:
    h = harness
    world = await set_up(h)
    await h.send(ADMIN, "/lang", STREET_CHAT)
    await h.press_text(ADMIN, h.fake.last_to(STREET_CHAT), "繁體中文")
    await h.send(CHIEF, f"/evaluate_round {world.round_id}")
    await h.press_text(CHIEF, h.fake.last_to(CHIEF.id), en(h, "Confirm"))
    actors = [Actor(person, superadmin=False) for person in
              [await people.get(h.db, who.id) for who in (REVIEWER, CHIEF)] if person]
    scores = dict.fromkeys(CRITERIA, 4)
    given = await asyncio.gather(*(usecase.evaluate(
        h.app.messenger, actor, proposal_id=world.proposal_id, scores=scores, note=None,
        now=h.clock.now()) for actor in actors))
    assert [g.ok for g in given] == [True, True]
    await h.app.sender.drain()
    (found,) = await rows(h, VentureRound)
    assert found.state == RoundState.FINISHED
    (chart,) = h.fake.sent("sendPhoto", STREET_CHAT)
    caption = str(chart.params.get("caption"))
    assert translate(h, "zh_Hant", "Report of micro-venture round #{id} “{theme}”",
                     id=world.round_id, theme="楼道照明") in caption
    assert "評估驗收" in caption and "徵集" in caption
    # A forged score (a criterion the round does not have) changes nothing.
    assert (await usecase.evaluate(h.app.messenger, actors[0], proposal_id=world.proposal_id,
                                   scores={"beauty": 5}, note=None, now=h.clock.now())
            ).result in (Result.OUT_OF_RANGE, Result.WRONG_STATE)
