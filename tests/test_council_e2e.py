"""The residents' council (居民议事会) end to end: a cadre opens a matter with the private form,
residents comment by a reply and by /comment, the sweep opens the vote, an unregistered
neighbour is refused, a vote is changed, two taps at once make one vote, the close finds the
quorum met or not, the outcome is posted and minuted, and a decided matter becomes a topic of
the next joint meeting. A hearing has its own words; forged buttons (another community's
matter, a closed one) change nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.jobs import sweep_once
from storage.models import (
    Matter,
    MatterComment,
    MatterVote,
    MeetingTopic,
    Proposal,
    ProposalNeed,
    VentureRound,
)
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
    url_button,
)

CADRE = Someone(7001, "Cadre Liu", language_code="en", username="liu")
ELDER = Someone(7002, "Resident Wang", username="wang_laoshi")  # reads Simplified Chinese
VISITOR = Someone(7003, "Visitor Tang", language_code="en", username="tang")  # of no grid
OTHER_CHAT = -1202
COMMUNITY = 2


def en(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "en", msgid, **values)


def zh(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "zh_Hans", msgid, **values)


async def sweep(h: Harness) -> None:
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()


async def rows(h: Harness, model: Any) -> list[Any]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(model).order_by(model.id))).all())


async def set_up(h: Harness) -> None:
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant cadre {CADRE.id}", COMMUNITY_CHAT)
    for person in (CADRE, ELDER):
        await h.send(person, "/start")
    # Residents of the grid: seen in its group. The neighbour never opened a private chat.
    for person in (RESIDENT, ELDER, NEIGHBOUR):
        await h.send(person, "/duty", GRID_CHAT)
    h.fake.clear()


def last(h: Harness, who: Someone) -> Call:
    return h.fake.last_to(who.id)


async def tap(h: Harness, who: Someone, label: str) -> None:
    await h.press(who, last(h, who), button(last(h, who), label))


async def open_matter(h: Harness, kind: str, *, options: str | None = None,
                      quorum: str = "2", hidden: bool = False) -> None:
    """The cadre's form, from /matter new in the community's chat to Open."""
    await h.send(CADRE, "/matter new", COMMUNITY_CHAT)
    payload = url_button(h.fake.last_to(COMMUNITY_CHAT)).split("start=", 1)[1]
    await h.send(CADRE, f"/start {payload}")
    assert en(h, "<b>A matter for the residents' council</b>\nWhich kind is it?") == \
        last(h, CADRE).text
    await tap(h, CADRE, en(h, kind))
    await h.send(CADRE, "楼下空地改建停车位还是小花园")
    await h.send(CADRE, "空地改建成什么？")
    if options is None:
        await tap(h, CADRE, en(h, "For / Against / Abstain"))
    else:
        await h.send(CADRE, options)
    await tap(h, CADRE, en(h, "{days} days", days=3))
    await tap(h, CADRE, en(h, "1 day"))
    await h.send(CADRE, quorum)
    await tap(h, CADRE, en(h, "Hide until the close") if hidden else en(h, "Show the counts"))
    assert en(h, "Open it? It is posted in the community's chat for discussion.") in \
        last(h, CADRE).text
    await tap(h, CADRE, en(h, "Open"))


def votes_posted(h: Harness) -> list[Call]:
    return [c for c in h.fake.sent("sendMessage", COMMUNITY_CHAT)
            if any("callback_data" in b for b in c.buttons())]


def vote_message(h: Harness) -> Call:
    return votes_posted(h)[-1]


def shown(h: Harness, call: Call) -> str:
    return str(h.fake.message(COMMUNITY_CHAT, call.message_id)["text"])


async def test_a_matter_from_discussion_to_vote_outcome_minutes_and_agenda(
        harness: Harness) -> None:
    h = harness
    await set_up(h)
    await open_matter(h, "Deliberation (议事)", options="停车位\n小花园")
    assert en(h, "Matter #{id} is open and posted in the community's chat. Its minutes: "
                 "/matter {id}", id=1) == last(h, CADRE).text
    post = h.fake.last_to(COMMUNITY_CHAT)
    assert zh(h, "The residents' council deliberates on this matter. Say what you think by "
                 "replying to this message, or privately with /comment {id} and your words.",
              id=1) in post.text
    assert "楼下空地改建停车位还是小花园" in post.text and "停车位 / 小花园" in post.text

    # Comments: a reply in the community's chat, and privately.
    await h.send(VOLUNTEER, "小花园好，老人可以晒太阳", COMMUNITY_CHAT,
                 reply_to=h.fake.messages[(COMMUNITY_CHAT, post.message_id)])
    assert zh(h, "Thank you: your comment on matter #{id} is in its minutes.", id=1) == \
        h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(RESIDENT, "/comment 1 停车太难了，我选停车位")
    await h.send(VISITOR, "/comment 1 我也说两句")
    assert en(h, "Only residents of this community who have started a private chat with me "
                 "can vote or comment. Open a private chat with me first, then vote again.") \
        == h.fake.last_to(VISITOR.id).text
    assert [(c.person_id, c.text) for c in await rows(h, MatterComment)] == [
        (VOLUNTEER.id, "小花园好，老人可以晒太阳"), (RESIDENT.id, "停车太难了，我选停车位")]

    # Before the discussion ends there is nothing to vote on; then the sweep opens the vote.
    await sweep(h)
    assert not votes_posted(h)
    h.clock.advance(timedelta(days=3, minutes=1))
    await sweep(h)
    vote = vote_message(h)
    assert zh(h, "The deliberation is over. Residents, please vote:") in vote.text
    garden = button(vote, "小花园")
    parking = button(vote, "停车位")

    # The neighbour never opened a private chat: refused, and nothing is stored.
    await h.press(NEIGHBOUR, vote, garden)
    assert h.last_alert() == zh(h, "Only residents of this community who have started a "
                                   "private chat with me can vote or comment. Open a private "
                                   "chat with me first, then vote again.")
    assert await rows(h, MatterVote) == []

    # A vote, then a changed vote: one row, the counts shown live.
    await h.press(RESIDENT, vote, parking)
    assert h.last_alert() == zh(h, "Your vote: {option}. You can change it until the vote "
                                   "closes. Only you see this.", option="停车位")
    await h.press(RESIDENT, vote, garden)
    assert h.last_alert() == zh(h, "Your vote is changed to: {option}. Only you see this.",
                                option="小花园")
    assert [(v.person_id, v.choice) for v in await rows(h, MatterVote)] == [(RESIDENT.id, 1)]
    assert zh(h, "{option}: {count}", option="小花园", count=1) in shown(h, vote)

    # Two taps at once by the same resident: one vote.
    await asyncio.gather(h.press(ELDER, vote, parking, then_send=False),
                         h.press(ELDER, vote, parking, then_send=False))
    await h.app.sender.drain()
    assert sorted((v.person_id, v.choice) for v in await rows(h, MatterVote)) == [
        (RESIDENT.id, 1), (ELDER.id, 0)]

    # A tie at the close, quorum of two met: nothing decided; said so and minuted.
    h.clock.advance(timedelta(days=1))
    await sweep(h)
    assert zh(h, "The vote is tied: nothing was decided.") in shown(h, vote)
    outcome = h.fake.last_to(COMMUNITY_CHAT).text
    assert zh(h, "The vote is tied: nothing was decided.") in outcome
    [matter] = await rows(h, Matter)
    assert matter.state == "closed" and matter.result is not None
    assert (matter.result["counts"], matter.result["met"]) == ([1, 1], True)

    # A closed matter's buttons change nothing.
    await h.press(RESIDENT, vote, parking)
    assert h.last_alert() == zh(h, "This matter is closed: its vote no longer changes.")
    await h.send(CADRE, "/matter 1")
    minutes = last(h, CADRE).text
    assert "小花园好，老人可以晒太阳" in minutes and "停车太难了，我选停车位" in minutes
    assert en(h, "The vote is tied: nothing was decided.") in minutes


async def test_quorum_not_met_then_met_and_the_agenda_topic(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await h.send(ADMIN, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    # First matter: quorum of 2, one vote: not reached.
    await open_matter(h, "Deliberation (议事)", quorum="2")
    h.clock.advance(timedelta(days=3, minutes=1))
    await sweep(h)
    await h.press(RESIDENT, vote_message(h), button(vote_message(h), zh(h, "For")))
    h.clock.advance(timedelta(days=1))
    await sweep(h)
    assert zh(h, "The quorum was not reached ({votes} votes of {needed} needed): nothing was "
                 "decided.", votes=1, needed=2) in h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(CADRE, "/matter 1")
    assert not last(h, CADRE).buttons()

    # Second: 50 % of the three registered residents (two votes), both for: decided.
    await open_matter(h, "Deliberation (议事)", quorum="50%")
    h.clock.advance(timedelta(days=3, minutes=1))
    await sweep(h)
    for person in (RESIDENT, ELDER):
        await h.press(person, vote_message(h), button(vote_message(h), zh(h, "For")))
    # Closed early by the cadre, with a confirmation.
    await h.send(CADRE, "/matter 2")
    await tap(h, CADRE, en(h, "Close now"))
    await tap(h, CADRE, en(h, "Yes, close it"))
    assert zh(h, "The residents' council decided: <b>{option}</b>.", option=zh(h, "For")) in \
        h.fake.last_to(COMMUNITY_CHAT).text
    [_first, matter] = await rows(h, Matter)
    assert matter.result is not None and matter.result["eligible"] == 3
    assert matter.closed_by == CADRE.id
    # The opener's news carries To the joint meeting; a second tap changes nothing.
    news = [c for c in h.fake.sent("sendMessage", CADRE.id) if c.buttons()][-1]
    to_meeting = button(news, en(h, "To the joint meeting"))
    await h.press(CADRE, news, to_meeting)
    [topic] = await rows(h, MeetingTopic)
    assert topic.text.startswith(zh(h, "Residents' council #{id}: {title} — {outcome}",
                                     id=2, title="楼下空地改建停车位还是小花园",
                                     outcome=zh(h, "For")))
    await h.press(CADRE, news, to_meeting)
    assert h.last_alert() == en(h, "That was done already.")
    assert len(await rows(h, MeetingTopic)) == 1


async def test_a_hearing_speaks_its_own_words_and_forged_buttons_are_refused(
        harness: Harness) -> None:
    h = harness
    await set_up(h)
    await open_matter(h, "Hearing (听证)", hidden=True)
    post = h.fake.last_to(COMMUNITY_CHAT)
    assert zh(h, "A hearing of the residents' council: before this is decided, residents are "
                 "heard. Give your view by replying to this message, or privately with "
                 "/comment {id} and your words.", id=1) in post.text
    assert zh(h, "hearing") in post.text
    h.clock.advance(timedelta(days=3, minutes=1))
    await sweep(h)
    vote = vote_message(h)
    assert zh(h, "The hearing is over. Residents, please vote on the question heard:") in \
        vote.text
    assert zh(h, "The counts are hidden until the vote closes.") in vote.text

    # The same button shown in another community's chat is refused.
    await h.send(ADMIN, "/bind community 1 和平社区", OTHER_CHAT)
    forged = h.fake.messages[(COMMUNITY_CHAT, vote.message_id)]
    h.fake.messages[(OTHER_CHAT, vote.message_id)] = {**forged, "chat": {
        "id": OTHER_CHAT, "type": "supergroup", "title": "Other"}}
    await h.press(RESIDENT, Call("sendMessage", {"chat_id": OTHER_CHAT},
                                 {"message_id": vote.message_id}), button(vote, zh(h, "For")))
    assert h.last_alert() == zh(h, "This button belongs to another community's matter.")
    assert await rows(h, MatterVote) == []

    # Hidden counts: a vote does not show them; the close does.
    await h.press(RESIDENT, vote, button(vote, zh(h, "Against")))
    assert zh(h, "{option}: {count}", option=zh(h, "Against"), count=1) not in shown(h, vote)
    h.clock.advance(timedelta(days=1))
    await sweep(h)
    assert zh(h, "After the hearing the residents chose: <b>{option}</b>.",
              option=zh(h, "Against")) not in shown(h, vote)  # quorum 2 not reached
    assert zh(h, "{option}: {count}", option=zh(h, "Against"), count=1) in shown(h, vote)

    # Staff of the community may not vote as such; nor a social worker's Close now.
    await h.send(WORKER, "/matter 1")
    assert not last(h, WORKER).buttons()


async def test_a_community_tier_wish_goes_to_the_council_without_its_contacts(
        harness: Harness) -> None:
    h = harness
    await set_up(h)
    trad = Someone(7004, "Resident Chan", language_code="zh-hant", username="chan")
    await h.send(trad, "/start")
    await h.send(trad, "/duty", GRID_CHAT)
    await h.send(RESIDENT, "/wish 楼道的灯坏了三个月，谁能帮忙修？电话13812345678", GRID_CHAT)
    h.clock.advance(timedelta(hours=49))
    await sweep(h)
    card = [c for c in h.fake.sent("sendMessage", COMMUNITY_CHAT)
            if any(zh(h, "🏛 To the residents' council") == b["text"] for b in c.buttons())][-1]
    council_button = button(card, zh(h, "🏛 To the residents' council"))
    # A social worker may not open a matter; the cadre gets the form privately.
    await h.press(WORKER, card, council_button)
    assert h.last_alert() == zh(h, "Only the community's admins and cadres can put a matter "
                                   "to the residents' council, or close one.")
    await h.press(CADRE, card, council_button)
    assert h.last_alert() == zh(h, "I sent you the form privately.")
    payload = url_button(last(h, CADRE)).split("start=", 1)[1]
    await h.send(CADRE, f"/start {payload}")
    await tap(h, CADRE, en(h, "Review (评议)"))
    await h.send(CADRE, "楼道照明维修")
    await h.send(CADRE, "对物业的维修工作是否满意？")
    await h.send(CADRE, "满意\n不满意")
    await h.send(CADRE, "2天")
    await h.send(CADRE, "两天")
    await tap(h, CADRE, en(h, "One vote is enough"))
    await tap(h, CADRE, en(h, "Show the counts"))
    await tap(h, CADRE, en(h, "Open"))
    [matter] = await rows(h, Matter)
    assert (matter.wish_id, matter.source, matter.kind) == (1, "wish", "review")
    post = h.fake.last_to(COMMUNITY_CHAT).text
    assert zh(h, "A review by the residents' council: residents assess this work. Give your "
                 "assessment by replying to this message, or privately with /comment {id} and "
                 "your words.", id=1) in post
    assert "楼道的灯坏了三个月" in post and "13812345678" not in post
    h.clock.advance(timedelta(days=2, minutes=1))
    await sweep(h)
    vote = vote_message(h)
    assert zh(h, "The review's discussion is over. Residents, please give your assessment:") \
        in vote.text
    await h.press(trad, vote, button(vote, "满意"))
    assert h.last_alert() == zh(h, "Your vote: {option}. You can change it until the vote "
                                   "closes. Only you see this.", option="满意")
    await h.send(trad, "/comment 1 燈修好了，謝謝")
    assert translate(h, "zh_Hant", "Thank you: your comment on matter #{id} is in its "
                                   "minutes.", id=1) == h.fake.last_to(trad.id).text
    assert "議事會" in translate(h, "zh_Hant", "🏛 <b>Residents' council · {kind} #{id}</b>: "
                                              "{title}", kind="", id=1, title="")
    h.clock.advance(timedelta(days=2))
    await sweep(h)
    assert zh(h, "The residents' assessment: <b>{option}</b>.", option="满意") in \
        h.fake.last_to(COMMUNITY_CHAT).text


async def test_a_micro_venture_proposal_is_put_to_the_council(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await h.send(RESIDENT, "/wish 小区缺一个老人活动室", GRID_CHAT)
    now = h.clock.now()
    async with h.db.transaction() as session:
        found = VentureRound(street_id=1, theme="为老服务", budget_fen=5_000_000,
                             cap_fen=2_000_000, proposals_due_at=now,
                             selection_on=now.date(), criteria=["need"], opened_by=ADMIN.id,
                             created_at=now)
        session.add(found)
        await session.flush()
        proposal = Proposal(round_id=found.id or 0, rep_id=VOLUNTEER.id, organisation="乐龄社工站",
                            title="银龄活动室", plan="每周三次活动", team="三名社工",
                            budget_fen=1_000_000, submitted_at=now, updated_at=now)
        session.add(proposal)
        await session.flush()
        session.add(ProposalNeed(proposal_id=proposal.id or 0, wish_id=1))
    await h.send(WORKER, "/matter proposal 1", COMMUNITY_CHAT)
    assert zh(h, "Only the community's admins and cadres can put a matter to the residents' "
                 "council, or close one.") == h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(CADRE, "/matter proposal 9")
    assert en(h, "There is no such micro-venture proposal.") == last(h, CADRE).text
    await h.send(CADRE, "/matter 项目 1")
    await tap(h, CADRE, en(h, "Hearing (听证)"))
    await h.send(CADRE, "银龄活动室项目听证")
    await h.send(CADRE, "是否同意在三号楼开设活动室？")
    await tap(h, CADRE, en(h, "For / Against / Abstain"))
    await tap(h, CADRE, en(h, "1 day"))
    await tap(h, CADRE, en(h, "1 day"))
    await h.send(CADRE, "1")
    await tap(h, CADRE, en(h, "Show the counts"))
    summary = last(h, CADRE)
    # Open tapped twice at once: one matter, posted once.
    await asyncio.gather(*(h.press(CADRE, summary, button(summary, en(h, "Open")),
                                   then_send=False) for _ in range(2)))
    await h.app.sender.drain()
    [matter] = await rows(h, Matter)
    assert (matter.source, matter.proposal_id, matter.community_id) == ("proposal", 1, COMMUNITY)
    assert len([c for c in h.fake.sent("sendMessage", COMMUNITY_CHAT)
                if "银龄活动室项目听证" in c.text]) == 1
    assert zh(h, "From micro-venture proposal #{id}: {title}", id=1, title="银龄活动室") in \
        h.fake.last_to(COMMUNITY_CHAT).text
