"""What the bot holds about one person (/mydata, PIPL art. 45): their rows, table by table,
as plain values. A person's rows are few (their own wishes, hours and answers), so they are
read whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlmodel import col, select

from storage.db import Database
from storage.models import (
    ActionItem,
    Attendance,
    Claim,
    EvaluationComment,
    GridMember,
    Meeting,
    MeetingTopic,
    Person,
    Place,
    Question,
    Rating,
    RoleGrant,
    ServiceLog,
    Volunteer,
    Wish,
    WishMedia,
)

Row = tuple[Any, ...]


@dataclass
class Holdings:
    """Each part of what is held, in the order /mydata shows it."""

    person: Row | None = None  # id, name, username, app language, chosen language, first seen
    roles: list[Row] = field(default_factory=list)  # place, role, since
    volunteer: list[Row] = field(default_factory=list)  # name, phone, skills, status, applied
    wishes: list[Row] = field(default_factory=list)  # no., grid, text, category, phone,
    #                                                    address, state, made
    claims: list[Row] = field(default_factory=list)  # wish no., claimed, ended, outcome
    ratings: list[Row] = field(default_factory=list)  # wish no., score, comment, at
    questions: list[Row] = field(default_factory=list)  # text, answer, asked, answered
    hours: list[Row] = field(default_factory=list)  # day, minutes, description, state
    grids: list[Row] = field(default_factory=list)  # grid, since
    meetings: list[Row] = field(default_factory=list)  # starts, present, reason
    topics: list[Row] = field(default_factory=list)  # text, state, proposed
    actions: list[Row] = field(default_factory=list)  # text, due, state
    media: list[Row] = field(default_factory=list)  # wish no., kind, added
    comments: list[Row] = field(default_factory=list)  # month, text

    def counts(self) -> dict[str, int]:
        return {name: len(value) for name, value in vars(self).items() if name != "person"}


async def holdings(db: Database, person_id: int) -> Holdings:
    found = Holdings()
    async with db.transaction() as session:
        async def rows(statement: Any) -> list[Row]:
            return [tuple(row) for row in (await session.exec(statement)).all()]

        person = await session.get(Person, person_id)
        if person is None:
            return found
        found.person = (person.id, person.full_name, person.username, person.language_code,
                        person.locale, person.created_at)
        found.roles = await rows(select(Place.name, RoleGrant.role, RoleGrant.granted_at)
                                 .join(Place, col(Place.id) == col(RoleGrant.place_id))
                                 .where(RoleGrant.person_id == person_id))
        volunteer = await session.get(Volunteer, person_id)
        if volunteer is not None:
            found.volunteer = [(volunteer.real_name, volunteer.phone,
                                ", ".join([*volunteer.skills, volunteer.other_skill or ""]
                                          ).strip(", "), volunteer.status,
                                volunteer.applied_at)]
        found.wishes = await rows(
            select(Wish.id, Place.name, Wish.text, Wish.category, Wish.contact_phone,
                   Wish.contact_address, Wish.state, Wish.created_at)
            .join(Place, col(Place.id) == col(Wish.grid_id))
            .where(Wish.resident_id == person_id).order_by(col(Wish.id)))
        found.claims = await rows(select(Claim.wish_id, Claim.claimed_at, Claim.ended_at,
                                         Claim.outcome).where(Claim.volunteer_id == person_id)
                                  .order_by(col(Claim.id)))
        found.ratings = await rows(select(Rating.wish_id, Rating.score, Rating.comment,
                                          Rating.created_at)
                                   .where(Rating.resident_id == person_id))
        found.questions = await rows(select(Question.text, Question.answer, Question.created_at,
                                            Question.answered_at)
                                     .where(Question.resident_id == person_id))
        found.hours = await rows(select(ServiceLog.served_on, ServiceLog.minutes,
                                        ServiceLog.description, ServiceLog.state)
                                 .where(ServiceLog.person_id == person_id)
                                 .order_by(col(ServiceLog.served_on)))
        found.grids = await rows(select(Place.name, GridMember.since)
                                 .join(Place, col(Place.id) == col(GridMember.grid_id))
                                 .where(GridMember.person_id == person_id))
        found.meetings = await rows(select(Meeting.starts_at, Attendance.present,
                                           Attendance.reason)
                                    .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
                                    .where(Attendance.person_id == person_id))
        found.topics = await rows(select(MeetingTopic.text, MeetingTopic.state,
                                         MeetingTopic.created_at)
                                  .where(MeetingTopic.proposer_id == person_id))
        found.actions = await rows(select(ActionItem.text, ActionItem.due_on, ActionItem.state)
                                   .where(ActionItem.owner_id == person_id))
        their_wishes = select(Wish.id).where(Wish.resident_id == person_id)
        found.media = await rows(select(WishMedia.wish_id, WishMedia.kind, WishMedia.added_at)
                                 .where(or_(col(WishMedia.added_by) == person_id,
                                            col(WishMedia.wish_id).in_(their_wishes))))
        found.comments = await rows(select(EvaluationComment.month, EvaluationComment.text)
                                    .where(EvaluationComment.person_id == person_id))
    return found
