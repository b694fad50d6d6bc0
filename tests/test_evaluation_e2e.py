"""The monthly evaluation end to end: an admin's review and a partner's by buttons, the person
evaluated sees their month and comments, admins see their places', a street admin closes the
month; buttons pressed twice, forged for another person or street, or stale after closing; and
every role that may not act refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from sqlmodel import select

from storage.models import EvaluationComment, PartnerReview, StaffReview
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    STREET_CHAT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)
from tests.test_evaluation import _rate

BOSS = Someone(6001, "Community Admin Sun", language_code="en", username="sun")
CHIEF = Someone(6002, "Street Admin Zhou", language_code="en", username="zhou_s")
PARTNER = Someone(6003, "Org Rep Qian", language_code="en", username="qian")
REP = Someone(6004, "Volunteer Rep Wu", username="wu")  # reads Simplified Chinese
FAR_CHIEF = Someone(6005, "Far Admin Ma", language_code="en", username="ma")
FAR_WORKER = Someone(6006, "Far Worker He", language_code="en", username="he")
FAR_STREET, FAR_COMMUNITY = -1101, -1102


def en(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "en", msgid, **values)


def zh(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "zh_Hans", msgid, **values)


def now_shown(h: Harness, call: Call) -> Call:
    shown = h.fake.message(call.chat_id or 0, call.message_id)
    return Call("editMessageText", {"chat_id": call.chat_id, "message_id": call.message_id,
                                    "text": shown["text"],
                                    "reply_markup": shown.get("reply_markup")})


async def tap(h: Harness, who: Someone, form: Call, label: str) -> Call:
    await h.press(who, form, button(now_shown(h, form), label))
    return now_shown(h, form)


async def set_up(h: Harness) -> None:
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant admin {BOSS.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant admin {CHIEF.id}", STREET_CHAT)
    await h.send(ADMIN, f"/grant org_rep {PARTNER.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant volunteer_rep {REP.id}", GRID_CHAT)
    await h.send(ADMIN, "/bind street 月光街道", FAR_STREET)
    await h.send(ADMIN, "/bind community 4 长安社区", FAR_COMMUNITY)
    await h.send(ADMIN, f"/grant admin {FAR_CHIEF.id}", FAR_STREET)
    await h.send(ADMIN, f"/grant social_worker {FAR_WORKER.id}", FAR_COMMUNITY)
    for person in (BOSS, CHIEF, PARTNER, REP, FAR_CHIEF, FAR_WORKER):
        await h.send(person, "/start")
    # The grid's November: ratings 5, 4 and 2 (100, 75 and 25: residents 66.7).
    for score, day in ((5, 3), (4, 10), (2, 20)):
        await _rate(h.db, 3, score, datetime(2026, 11, day, 2, tzinfo=UTC))
    h.clock.advance(timedelta(days=10))  # 5 December: November is the month evaluated
    h.fake.clear()


async def _review(h: Harness, who: Someone, scores: list[str]) -> Call:
    await h.send(who, "/review")
    form = h.fake.last_to(who.id)
    assert en(h, "<b>Review of a social worker</b> · {month}: whom do you review?",
              month="November 2026") == form.text
    shown = await tap(h, who, form, WORKER.name)
    assert en(h, "Step {step} of {steps}: {criterion}, from 1 (poor) to {scale} (excellent)?",
              step=1, steps=5, criterion="Service attitude", scale=5) in shown.text
    for score in scores:
        shown = await tap(h, who, form, score)
    return form


async def rows(h: Harness, model: Any) -> list[Any]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(model))).all())


async def test_reviews_by_buttons_the_total_and_the_comment(harness: Harness) -> None:
    h = harness
    await set_up(h)
    # The community's admin: 5, 4, 3, 4 (100, 75, 50, 75: 75), no note; Skip pressed twice.
    form = await _review(h, BOSS, ["5", "4", "3", "4"])
    skip = button(now_shown(h, form), en(h, "Skip"))
    await h.press(BOSS, form, skip)
    assert en(h, "Saved.") in now_shown(h, form).text
    await h.press(BOSS, form, skip)
    assert h.last_alert() == en(h, "This button is no longer valid.")
    # The street's admin: all 3 (50), with a typed note.
    await _review(h, CHIEF, ["3", "3", "3", "3"])
    await h.send(CHIEF, "台账按时提交")
    assert en(h, "Saved.") in h.fake.last_to(CHIEF.id).text
    assert sorted((r.reviewer_id, r.note) for r in await rows(h, StaffReview)) == [
        (BOSS.id, None), (CHIEF.id, "台账按时提交")]
    # Partners: the organisation 4 (75), the volunteers' representative 5 (100): 87.5.
    for who, score in ((PARTNER, "4"), (REP, "5")):
        await h.send(who, "/partner_review")
        form = h.fake.last_to(who.id)
        await tap(h, who, form, WORKER.name)
        await tap(h, who, form, score)
        await h.press(who, form, button(now_shown(h, form), translate(
            h, "zh_Hans" if who is REP else "en", "Skip")))
    assert sorted((r.role, r.score) for r in await rows(h, PartnerReview)) == [
        ("org_rep", 4), ("volunteer_rep", 5)]
    # 0.4 × 66.7 + 0.4 × 62.5 + 0.2 × 87.5 = 69.2
    await h.send(WORKER, "/evaluation")
    own = h.fake.last_to(WORKER.id)
    for line in (en(h, "Residents (下评上), {weight} %: {points} ({ratings})", weight=40,
                    points="66.7", ratings=en(
                        h, "ratings: {count}; {solved} solved, {partly} partly solved, "
                        "{not_solved} not solved", count=3, solved=2, partly=0,
                        not_solved=1)),
                 en(h, "Organisation's review, {weight} %: {points} (reviews: {count})",
                    weight=40, points="62.5", count=2),
                 en(h, "Partners' review, {weight} %: {points} (reviews: {count})",
                    weight=20, points="87.5", count=2),
                 en(h, "<b>Total: {points}</b>", points="69.2"),
                 en(h, "In your grids: {submitted} wishes submitted, {claimed} claimed, "
                       "{fulfilled} fulfilled, {confirmed} confirmed by their residents, "
                       "{passed} passed up to the community.", submitted=3, claimed=3,
                    fulfilled=3, confirmed=2, passed=0),
                 en(h, "Median time to claim: {claim}; to fulfil: {fulfil}. Volunteer "
                       "service: {hours} h by {volunteers} volunteers.",
                    claim=en(h, "{n} min", n=30), fulfil=en(h, "{n} min", n=20), hours="0",
                    volunteers=0)):
        assert line in own.text
    await h.press(WORKER, own, button(own, en(h, "✏️ Comment")))
    await h.send(WORKER, "下月加强台账")
    assert h.fake.last_to(WORKER.id).text == en(
        h, "Your comment is saved: the admins who see your evaluation see it with it.")
    # Admins at or above see it, with the comment; the grid's line too.
    await h.send(BOSS, "/evaluation 2026-11")
    seen = h.fake.last_to(BOSS.id).text
    assert "Worker Li: <b>69.2</b>" in seen and "下月加强台账" in seen and "第三网格" in seen
    await h.send(FAR_CHIEF, "/evaluation 2026年11月")
    assert "Worker Li" not in h.fake.last_to(FAR_CHIEF.id).text


async def test_forged_stale_and_closed(harness: Harness) -> None:
    h = harness
    await set_up(h)
    # A forged worker button: the admin of another street picks our worker.
    await h.send(FAR_CHIEF, "/review")
    far_form = h.fake.last_to(FAR_CHIEF.id)
    assert WORKER.name not in {b["text"] for b in far_form.buttons()}
    forged = button(far_form, FAR_WORKER.name).replace(str(FAR_WORKER.id), str(WORKER.id))
    await h.press(FAR_CHIEF, far_form, forged.replace(":4:", ":1:"))
    assert h.last_alert() == en(h, "You may not review this social worker.")
    # A comment button forged for another person's month.
    await h.send(WORKER, "/evaluation")
    own = h.fake.last_to(WORKER.id)
    mine = button(own, en(h, "✏️ Comment"))
    await h.press(FAR_WORKER, own, mine)
    assert h.last_alert() == en(
        h, "Only the social worker evaluated can comment on their evaluation.")
    # A review half done when the month is closed.
    form = await _review(h, BOSS, ["5", "4"])
    await h.send(CHIEF, "/close_month")
    confirm = h.fake.last_to(CHIEF.id)
    assert en(h, "<b>Close a month of evaluation?</b> Its results are kept as they are now; "
                 "reviews, comments and later ratings no longer change them. This cannot be "
                 "undone.") == confirm.text
    closing = button(confirm, en(h, "Close {month} of {street}", month="November 2026",
                                 street="阳光街道"))
    await h.press(FAR_CHIEF, confirm, closing)
    assert h.last_alert() == en(h, "Only an admin of that street can close its month.")
    await h.press(CHIEF, confirm, closing)
    assert en(h, "Closed: {month} of {street}. Its results no longer change.",
              month="November 2026", street="阳光街道") == now_shown(h, confirm).text
    await h.press(CHIEF, confirm, closing)
    assert h.last_alert() == en(h, "That month is closed already.")
    for score in ("3", "3"):
        await tap(h, BOSS, form, score)
    await h.press(BOSS, form, button(now_shown(h, form), en(h, "Skip")))
    assert now_shown(h, form).text == en(
        h, "This month is closed: its evaluation no longer changes.")
    await h.press(WORKER, own, mine)
    assert h.last_alert() == en(h, "This month is closed: its evaluation no longer changes.")
    assert await rows(h, StaffReview) == [] and await rows(h, EvaluationComment) == []
    # A rating given late in November changes nothing shown.
    await _rate(h.db, 3, 1, datetime(2026, 11, 28, 2, tzinfo=UTC))
    await h.send(WORKER, "/evaluation")
    closed = h.fake.last_to(WORKER.id)
    assert "66.7" in closed.text and closed.buttons() == []


async def test_every_role_that_may_not_is_refused(harness: Harness) -> None:
    h = harness
    await set_up(h)
    not_admin = en(h, "Only an admin of a community or street reviews its social workers, "
                      "and there is nobody for you to review.")
    not_partner = en(h, "Only an organisation's or the volunteers' representative rates the "
                        "social workers' cooperation, and there is nobody for you to rate.")
    not_street = en(h, "Only an admin of a street closes its month of evaluation.")
    nothing = en(h, "You have no evaluation to see: evaluations are shown to the social "
                    "worker evaluated and to the admins of their places.")
    for who in (RESIDENT, VOLUNTEER, WORKER, PARTNER):
        await h.send(who, "/review")
        assert h.fake.last_to(who.id).text == not_admin, who.name
    for who in (RESIDENT, VOLUNTEER, WORKER, BOSS, CHIEF, ADMIN):
        await h.send(who, "/partner_review")
        assert h.fake.last_to(who.id).text == not_partner, who.name
    for who in (RESIDENT, VOLUNTEER, WORKER, PARTNER, BOSS):
        await h.send(who, "/close_month")
        assert h.fake.last_to(who.id).text == not_street, who.name
    for who in (RESIDENT, VOLUNTEER, PARTNER):
        await h.send(who, "/evaluation")
        assert h.fake.last_to(who.id).text == nothing, who.name
    # Never in a group, whoever asks: nothing about anyone is shown there.
    for command in ("/evaluation", "/review", "/partner_review", "/close_month"):
        await h.send(CHIEF, command, COMMUNITY_CHAT)
        assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
            h, "Evaluations are private: please send me this command in a private chat.")
    await h.send(BOSS, "/evaluation 2027-03")
    assert h.fake.last_to(BOSS.id).text == en(h, "That month has not begun yet.")
    await h.send(WORKER, "/evaluation 十一月")
    assert h.fake.last_to(WORKER.id).text == en(
        h, "Please give the month as 2026-11 or 2026年11月, or nothing for last month.")
    # The street's settings: seen by anyone in its chat, changed by its admins alone.
    await h.send(WORKER, "/evaluation_settings weights 50 30 20", STREET_CHAT)
    assert h.fake.last_to(STREET_CHAT).text == zh(h, "Only an admin of this place can do that.")
    await h.send(CHIEF, "/evaluation_settings 权重 50 30 30", STREET_CHAT)
    assert h.fake.last_to(STREET_CHAT).text == escape(zh(
        h, "I did not understand that. The weights are three whole numbers that make 100, the "
        "scale 2 to 10, and the criteria one to eight words."))
    await h.send(CHIEF, "/evaluation_settings 权重 50 30 20", STREET_CHAT)
    assert zh(h, "Weights: residents {residents} %, organisation {organisation} %, partners "
                 "{partners} %", residents=50, organisation=30, partners=20) in h.fake.last_to(
        STREET_CHAT).text
