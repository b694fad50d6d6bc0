"""The tables. Telegram user and chat ids are 64-bit, so they are BigInteger columns."""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

PARTIAL_WHERE = "partial_where"  # Index.info key: the condition of a partial index


def partial_unique(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows that meet ``where``.

    Only SQLite's condition is named here. PostgreSQL's is added where migrations are
    written (storage/migrations/env.py): naming it here would load SQLAlchemy's PostgreSQL
    dialect, 2.4 MiB, into every bot that runs on SQLite. The migrations name both."""
    return Index(name, *columns, unique=True, sqlite_where=text(where),
                 info={PARTIAL_WHERE: where})


class PlaceKind(StrEnum):
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


PARENT_KIND: dict[PlaceKind, PlaceKind | None] = {
    PlaceKind.STREET: None,
    PlaceKind.COMMUNITY: PlaceKind.STREET,
    PlaceKind.GRID: PlaceKind.COMMUNITY,
}


class Role(StrEnum):
    ADMIN = "admin"
    SOCIAL_WORKER = "social_worker"
    CADRE = "cadre"
    ORG_REP = "org_rep"
    VOLUNTEER = "volunteer"
    # Speaks for the volunteers at the joint meeting (三工联席会议), of which they are a member
    # by default; the role gives no other act.
    VOLUNTEER_REP = "volunteer_rep"


STAFF_ROLES = frozenset({Role.ADMIN, Role.SOCIAL_WORKER, Role.CADRE})


class WishState(StrEnum):
    SUBMITTED = "submitted"
    OPEN = "open"
    CLAIMED = "claimed"
    FULFILLED = "fulfilled"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class Tier(StrEnum):
    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"


class Category(StrEnum):
    ELDERLY = "elderly"
    CHILDREN = "children"
    DISABILITY = "disability"
    DAILY_LIFE = "daily_life"
    LEARNING = "learning"
    OTHER = "other"


def _time(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class Place(SQLModel, table=True):
    """A street office (街道), community (社区) or grid (网格), optionally bound to one chat."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(16))
    name: str = Field(sa_type=String(100))
    parent_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True))
    timezone: str = Field(sa_type=String(64))
    locale: str | None = Field(default=None, sa_type=String(16))
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _time()


class Person(SQLModel, table=True):
    """Everyone the bot has seen: residents, volunteers, staff."""

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    full_name: str = Field(sa_type=String(200))
    username: str | None = Field(default=None, sa_type=String(64), index=True)
    language_code: str | None = Field(default=None, sa_type=String(16))
    locale: str | None = Field(default=None, sa_type=String(16))
    # True once they opened a private chat with the bot; False again if a message bounced.
    reachable: bool = Field(default=False)
    # The language of the command menu set for their private chat alone (bot.commands), when
    # Telegram's menus by language code cannot give it (Traditional Chinese, or their grid's).
    menu_locale: str | None = Field(default=None, sa_type=String(16))
    created_at: datetime = _time()


class RoleGrant(SQLModel, table=True):
    """A role held at a place; it also holds for every place below it."""

    __table_args__ = (UniqueConstraint("person_id", "place_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    place_id: int = Field(foreign_key="place.id", index=True)
    role: str = Field(sa_type=String(32))
    granted_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    granted_at: datetime = _time()


class Wish(SQLModel, table=True):
    """A micro-wish (微心愿) posted by a resident of a grid."""

    # One index per sweep, so finding what is due never scans the table; a grid's and a
    # person's wishes by time, so the limits on people count the last hour, not the years.
    __table_args__ = (
        Index("ix_wish_state_grid_deadline", "state", "tier", "grid_deadline_at"),
        Index("ix_wish_state_community_deadline", "state", "tier", "community_deadline_at"),
        Index("ix_wish_state_confirm_deadline", "state", "confirm_deadline_at"),
        Index("ix_wish_state_claim_remind", "state", "claim_remind_at"),
        Index("ix_wish_state_claim_release", "state", "claim_release_at"),
        Index("ix_wish_grid_created", "grid_id", "created_at"),
        Index("ix_wish_resident_created", "resident_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    grid_id: int = Field(foreign_key="place.id")
    resident_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    text: str = Field(sa_type=Text)
    category: str = Field(sa_type=String(16))
    urgent: bool = False
    contact_phone: str | None = Field(default=None, sa_type=String(32))
    contact_address: str | None = Field(default=None, sa_type=String(200))
    state: str = Field(sa_type=String(16))
    tier: str = Field(default=Tier.GRID, sa_type=String(16))
    follow_up: bool = False
    claimer_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    reject_reason: str | None = Field(default=None, sa_type=Text)
    # Where the words came from (a message or a form), so a repeated update or a double tap
    # on Submit stores the wish once.
    source_key: str | None = Field(default=None, sa_type=String(100), unique=True)
    created_at: datetime = _time()
    opened_at: datetime | None = _time(default=None)
    claimed_at: datetime | None = _time(default=None)
    fulfilled_at: datetime | None = _time(default=None)
    closed_at: datetime | None = _time(default=None)
    grid_deadline_at: datetime | None = _time(default=None)
    community_deadline_at: datetime | None = _time(default=None)
    confirm_deadline_at: datetime | None = _time(default=None)
    claim_remind_at: datetime | None = _time(default=None)
    claim_release_at: datetime | None = _time(default=None)
    # Closed because the resident did not confirm in time.
    unconfirmed: bool = False
    # A street office that adopted the wish as a micro-venture project says how.
    adopted_note: str | None = Field(default=None, sa_type=Text)
    # Risk early warning (风险预警): the words that made it one (storage.risk), None if none.
    risk: str | None = Field(default=None, sa_type=String(200))
    # Its claimer is a social worker or organisation who took it on (承接), from the community
    # card or by acknowledging its page, rather than a volunteer who claimed it (认领).
    taken_on: bool = Field(default=False, sa_column=Column(Boolean, nullable=False,
                                                           server_default=false()))


class MediaKind(StrEnum):
    PHOTO = "photo"
    VOICE = "voice"


class MediaPurpose(StrEnum):
    WISH = "wish"  # the resident's, sent in the private wish form
    PROOF = "proof"  # the claimer's photo of the help given (服务影像)


class WishMedia(SQLModel, table=True):
    """A photo or voice message of a wish, kept by Telegram's file id (the file stays with
    Telegram). Shown only privately: to the resident, the claimer and the grid's staff."""

    __tablename__ = "wish_media"

    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id", index=True)
    kind: str = Field(sa_type=String(8))
    purpose: str = Field(sa_type=String(8))
    file_id: str = Field(sa_type=Text)
    added_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    added_at: datetime = _time()


class WishPost(SQLModel, table=True):
    """Where a wish's card stands: the grid group, and the community or street chat it was
    passed up to. Each is edited as the wish moves."""

    __tablename__ = "wish_post"
    __table_args__ = (UniqueConstraint("wish_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(Integer, nullable=False))


CLAIM_FULFILLED = "fulfilled"  # Claim.outcome once its volunteer marked the wish fulfilled


class Claim(SQLModel, table=True):
    """One volunteer's hold on a wish, from claiming to fulfilling or letting go."""

    __table_args__ = (
        # At most one live claim per wish, whatever the application does.
        partial_unique("uq_claim_live_wish", "wish_id", where="ended_at IS NULL"),
        # The claims that ended in a month (the honour roll), not every claim there was.
        Index("ix_claim_ended", "ended_at"),
        # The first claims of a period (reports: the time to claim).
        Index("ix_claim_claimed", "claimed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id", index=True)
    volunteer_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    claimed_at: datetime = _time()
    ended_at: datetime | None = _time(default=None)
    outcome: str | None = Field(default=None, sa_type=String(16))
    # Messages passed on through the bot between the claimer and the resident (the relay,
    # usecases.relay), counted so that staff see the two were in touch; the words are not
    # kept here (each is an audit row and an outbox row, whose text retention erases).
    from_claimer: int = Field(default=0, sa_column=Column(Integer, nullable=False,
                                                          server_default="0"))
    from_resident: int = Field(default=0, sa_column=Column(Integer, nullable=False,
                                                           server_default="0"))
    last_relayed_at: datetime | None = _time(default=None)


class Rating(SQLModel, table=True):
    """The resident's rating of a fulfilled wish (下评上)."""

    __table_args__ = (UniqueConstraint("wish_id", "claim_id"),
                      Index("ix_rating_created", "created_at"))  # a period's (reports)

    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id", index=True)
    claim_id: int = Field(foreign_key="claim.id")
    resident_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    volunteer_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    score: int
    comment: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _time()


class AuditEntry(SQLModel, table=True):
    """Who changed what, when, from which state to which."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(sa_type=String(16))
    entity_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    actor_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    action: str = Field(sa_type=String(32))
    from_state: str | None = Field(default=None, sa_type=String(16))
    to_state: str | None = Field(default=None, sa_type=String(16))
    detail: str | None = Field(default=None, sa_type=Text)
    at: datetime = _time(index=True)


class FsmRecord(SQLModel, table=True):
    """A conversation's form state, so a half-filled form survives a restart."""

    __tablename__ = "fsm_state"

    key: str = Field(sa_type=String(200), primary_key=True)
    state: str | None = Field(default=None, sa_type=String(100))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class FailedUpdate(SQLModel, table=True):
    """An update whose handler failed, kept with the user's words so nothing is lost."""

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    person_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    text: str | None = Field(default=None, sa_type=Text)
    payload: str = Field(sa_type=Text)
    error: str = Field(sa_type=Text)
    created_at: datetime = _time()


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"
    FAILED = "failed"


class OutboxKind(StrEnum):
    MESSAGE = "message"
    # The card of a wish: rendered from the wish's state when it is sent, posted or edited.
    CARD = "card"
    # A meeting's notice with its live RSVP counts, rendered and posted or edited likewise.
    MEETING_NOTICE = "meeting_notice"
    # A scheduled report (place, week or month, first day in ``markup``): its words and chart
    # are rendered from the figures when it is sent.
    REPORT = "report"
    # A council matter's post or vote in the community chat (``markup``: the matter and
    # which), rendered from the matter when it is sent, and its vote edited as votes come.
    MATTER = "matter"


class Lane(IntEnum):
    """Which outbox rows go first when Telegram's limits make rows wait: a lower lane first.
    Within one chat rows go out by lane, then in the order they were queued."""

    URGENT = 0  # risk and urgent pages, answers to the person who asked
    PERSON = 1  # notices to one person
    GROUP = 2  # cards and notices in group chats
    BULK = 3  # many alike at once: honour rolls, volunteer pings, members' copies


class OutboxMessage(SQLModel, table=True):
    """Something the bot must say to someone other than the person who just spoke.

    The sender delivers it within Telegram's limits, retries what can be retried, and the
    unique key makes enqueueing the same notice twice harmless.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "not_before"),
                      # A person's messages held back while they could not be reached, found
                      # when they start the bot (usecases.held).
                      Index("ix_outbox_chat_state", "chat_id", "state"))

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=String(200), unique=True)
    kind: str = Field(default=OutboxKind.MESSAGE, sa_type=String(16))
    lane: int = Field(default=Lane.PERSON, sa_column=Column(SmallInteger, nullable=False,
                                                            server_default="1"))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    text: str = Field(default="", sa_type=Text)
    markup: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    wish_id: int | None = Field(default=None, foreign_key="wish.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    # Who is told when the message cannot be delivered (e.g. a resident who blocked the bot).
    on_undeliverable: str | None = Field(default=None, sa_type=String(200))
    state: str = Field(default=OutboxState.PENDING, sa_type=String(16))
    attempts: int = 0
    not_before: datetime = _time()
    created_at: datetime = _time()
    sent_at: datetime | None = _time(default=None)
    message_id: int | None = Field(default=None, sa_column=Column(Integer))
    error: str | None = Field(default=None, sa_type=Text)


class DutyPost(StrEnum):
    A = "A"
    B = "B"


class DutyShift(SQLModel, table=True):
    """Who holds post A or B (AB岗) on the duty roster (值班表) of a community: on a weekday
    every week, or on one date (a swap, 换班), which wins over the weekly pattern."""

    __tablename__ = "duty_shift"
    __table_args__ = (
        partial_unique("uq_duty_weekly", "community_id", "weekday", "post",
                       where="day IS NULL"),
        partial_unique("uq_duty_swap", "community_id", "day", "post", where="day IS NOT NULL"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="place.id", index=True)
    weekday: int | None = None  # 0 = Monday
    day: date | None = None
    post: str = Field(sa_type=String(1))
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))


class PageKind(StrEnum):
    ESCALATION = "escalation"
    URGENT = "urgent"
    RISK = "risk"
    QUESTION = "question"


class Page(SQLModel, table=True):
    """An alert to the social worker on duty (值班提醒): post A first, then post B, then the
    community chat, until someone acknowledges it."""

    __table_args__ = (Index("ix_page_due", "acknowledged_at", "next_at"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="place.id", index=True)
    kind: str = Field(sa_type=String(16))
    wish_id: int | None = Field(default=None, foreign_key="wish.id")
    question_id: int | None = Field(default=None, foreign_key="question.id")
    level: str = Field(sa_type=String(8))  # "A", "B" or "chat"
    person_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    next_at: datetime | None = _time(default=None)
    acknowledged_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    acknowledged_at: datetime | None = _time(default=None)
    created_at: datetime = _time()


class Question(SQLModel, table=True):
    """A resident's question to the front desk (全科受理): asked once, answered from one place."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="place.id", index=True)
    resident_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    text: str = Field(sa_type=Text)
    answer: str | None = Field(default=None, sa_type=Text)
    answered_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    answered_at: datetime | None = _time(default=None)
    created_at: datetime = _time()


class DailyMark(SQLModel, table=True):
    """The last local day a daily series (the morning duty reminder) ran for a place."""

    __tablename__ = "daily_mark"
    __table_args__ = (UniqueConstraint("place_id", "series"),)

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id")
    series: str = Field(sa_type=String(32))
    last_day: date


class Skill(StrEnum):
    ELDER_CARE = "elder_care"
    TUTORING = "tutoring"
    REPAIRS = "repairs"
    ERRANDS = "errands"
    MEDICAL = "medical"
    LEGAL = "legal"
    PSYCHOLOGICAL = "psychological"
    OTHER = "other"


class Period(StrEnum):
    """Parts of the day a volunteer can give, in the place's time zone."""

    MORNING = "morning"  # 06:00-12:00
    AFTERNOON = "afternoon"  # 12:00-18:00
    EVENING = "evening"  # 18:00-22:00


class VolunteerStatus(StrEnum):
    APPLIED = "applied"  # waiting for a social worker
    NEEDS_INFO = "needs_info"  # a social worker asked a question
    APPROVED = "approved"
    DECLINED = "declined"
    PAUSED = "paused"  # by the volunteer (a holiday): no claims, no pings
    SUSPENDED = "suspended"  # by staff, with a reason


class Volunteer(SQLModel, table=True):
    """A volunteer's application and standing (志愿者登记); the grids served are in
    volunteer_grid."""

    person_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    real_name: str = Field(sa_type=String(100))
    phone: str | None = Field(default=None, sa_type=String(32))
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    other_skill: str | None = Field(default=None, sa_type=String(200))
    days: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    periods: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(sa_type=String(16), index=True)
    # The question asked, the reason declined or suspended: whatever the last decision said.
    reason: str | None = Field(default=None, sa_type=Text)
    answer: str | None = Field(default=None, sa_type=Text)
    pings: bool = True  # told privately about new wishes that match
    public: bool = True  # may be named on the honour roll
    applied_at: datetime = _time()
    consented_at: datetime = _time()
    decided_at: datetime | None = _time(default=None)
    decided_by: int | None = Field(default=None, sa_column=Column(BigInteger))


class VolunteerGrid(SQLModel, table=True):
    """A grid a volunteer serves."""

    __tablename__ = "volunteer_grid"
    __table_args__ = (UniqueConstraint("person_id", "grid_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    grid_id: int = Field(foreign_key="place.id", index=True)


class VolunteerPing(SQLModel, table=True):
    """A volunteer told privately about a wish that matches them; counts toward the daily cap."""

    __tablename__ = "volunteer_ping"
    __table_args__ = (UniqueConstraint("person_id", "wish_id"),
                      Index("ix_volunteer_ping_day", "person_id", "day"),
                      Index("ix_volunteer_ping_wish", "wish_id"))

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    wish_id: int = Field(foreign_key="wish.id")
    day: date  # the local day in the wish's place
    sent_at: datetime = _time()


class ServiceState(StrEnum):
    PENDING = "pending"  # logged by the volunteer, waiting for a social worker
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class ServiceLog(SQLModel, table=True):
    """Service hours (志愿服务记录): from a fulfilled wish, stated by its claimer, or logged
    by the volunteer and confirmed by a social worker. Kept in minutes.

    A wish's hours belong to the claim that fulfilled it, not to the wish: a wish reopened as
    "not solved" and fulfilled again by someone else gives each volunteer their own entry."""

    __tablename__ = "service_log"
    __table_args__ = (
        partial_unique("uq_service_log_claim", "claim_id", where="claim_id IS NOT NULL"),
        Index("ix_service_log_person_day", "person_id", "served_on"),
        Index("ix_service_log_grid_day", "grid_id", "served_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    grid_id: int = Field(foreign_key="place.id")
    wish_id: int | None = Field(default=None, foreign_key="wish.id")
    claim_id: int | None = Field(default=None, foreign_key="claim.id")
    served_on: date  # the local day of the service
    minutes: int
    description: str = Field(sa_type=Text)
    state: str = Field(sa_type=String(16))
    logged_at: datetime = _time()
    decided_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    decided_at: datetime | None = _time(default=None)


class MeetingRule(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"  # the n-th (or last) weekday of each month


class MeetingSeries(SQLModel, table=True):
    """A recurring joint meeting (联席会议) of a place, hosted by a cadre."""

    __tablename__ = "meeting_series"

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    title: str = Field(sa_type=String(100))
    rule: str = Field(sa_type=String(8))
    weekday: int  # 0 = Monday
    nth: int | None = None  # monthly: 1-4, or -1 for the last
    start_time: str = Field(sa_type=String(5))  # HH:MM, local to the place
    duration_minutes: int = 90
    location: str | None = Field(default=None, sa_type=Text)
    host_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    member_roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    member_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    topic_days: int = 3  # the call for topics goes out this many days before the start
    cutoff_hours: int = 24  # topics are taken until this long before the start
    notice_hours: int = 24  # the notice goes out this long before the start
    reminder_hours: int = 3  # members who have not answered are reminded this long before
    paused: bool = False
    ended_at: datetime | None = _time(default=None)
    created_at: datetime = _time()


class MeetingState(StrEnum):
    SCHEDULED = "scheduled"
    SKIPPED = "skipped"


class Meeting(SQLModel, table=True):
    """One occurrence of a series. ``planned_at`` is when the rule puts it; ``starts_at``
    differs when it was moved. Each step's time is recorded, so each happens once."""

    __table_args__ = (UniqueConstraint("series_id", "planned_at"),
                      Index("ix_meeting_state_start", "state", "starts_at"))

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="meeting_series.id", index=True)
    planned_at: datetime = _time()
    starts_at: datetime = _time()
    state: str = Field(default=MeetingState.SCHEDULED, sa_type=String(16))
    called_at: datetime | None = _time(default=None)
    agenda_confirmed_at: datetime | None = _time(default=None)
    noticed_at: datetime | None = _time(default=None)
    reminded_at: datetime | None = _time(default=None)
    start_reminded_at: datetime | None = _time(default=None)
    notice_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    notice_message_id: int | None = Field(default=None, sa_column=Column(Integer))
    # Written by the host afterwards: what was said (纪要) and what was decided (决议).
    minutes: str | None = Field(default=None, sa_type=Text)
    decisions: str | None = Field(default=None, sa_type=Text)
    minutes_sent_at: datetime | None = _time(default=None)


class TopicState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"  # on the agenda, at ``position``
    DECLINED = "declined"
    MERGED = "merged"  # into another topic


class MeetingTopic(SQLModel, table=True):
    """A topic proposed for a meeting's agenda (议题): by a member, or offered from a wish the
    grid could not solve."""

    __tablename__ = "meeting_topic"
    __table_args__ = (UniqueConstraint("meeting_id", "wish_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    proposer_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    wish_id: int | None = Field(default=None, foreign_key="wish.id")
    text: str = Field(sa_type=Text)
    state: str = Field(default=TopicState.PROPOSED, sa_type=String(16))
    position: int | None = None
    note: str | None = Field(default=None, sa_type=Text)  # why declined, or merged into what
    created_at: datetime = _time()


class Attendance(SQLModel, table=True):
    """Who was at a meeting, as the host records it (first filled in from the answers)."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    present: bool
    # Not present with a reason: excused (请假); without one: absent (缺席).
    reason: str | None = Field(default=None, sa_type=Text)


class ActionState(StrEnum):
    OPEN = "open"
    DONE = "done"


class ActionItem(SQLModel, table=True):
    """A task a meeting decided (督办事项): one owner, a due day in the place's time zone."""

    __tablename__ = "action_item"
    __table_args__ = (Index("ix_action_item_state_due", "state", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    owner_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    text: str = Field(sa_type=Text)
    due_on: date
    state: str = Field(default=ActionState.OPEN, sa_type=String(8))
    reminded_at: datetime | None = _time(default=None)
    overdue_at: datetime | None = _time(default=None)
    done_at: datetime | None = _time(default=None)
    created_at: datetime = _time()


class RsvpAnswer(StrEnum):
    ATTEND = "attend"
    ABSENT = "absent"  # cannot attend (请假), always with a reason


class Rsvp(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    answer: str = Field(sa_type=String(8))
    reason: str | None = Field(default=None, sa_type=Text)
    # Someone of the same role who comes instead (代为参会), named by whoever cannot attend.
    substitute_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    answered_at: datetime = _time()


class ProcessedUpdate(SQLModel, table=True):
    """Updates already taken in: Telegram redelivers a webhook update after a timeout, and
    with several instances no process can remember this for the others."""

    __tablename__ = "processed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    received_at: datetime = _time(index=True)
    # Until it is handled: the update as Telegram sent it, and how long the instance handling it
    # holds it. An instance killed half-way stops renewing its hold, and another takes the
    # update over (bot.inflight): Telegram was already answered and will not send it again.
    body: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    held_until: datetime | None = _time(default=None, index=True)


class GridMember(SQLModel, table=True):
    """Someone the bot saw in a grid's group: they joined it, or sent a command or pressed a
    button there. With their wishes, volunteer grids and roles, it tells a person's grid when
    they write privately (storage.members)."""

    __tablename__ = "grid_member"
    __table_args__ = (UniqueConstraint("person_id", "grid_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    grid_id: int = Field(foreign_key="place.id", index=True)
    since: datetime = _time()
    # When the group greeted them on joining: once per person and grid.
    greeted_at: datetime | None = _time(default=None)


class StaffReview(SQLModel, table=True):
    """An admin's review of a social worker's month (组织考核): a score per criterion on the
    street's scale, as the criteria and scale were when it was given."""

    __tablename__ = "eval_staff_review"
    __table_args__ = (UniqueConstraint("street_id", "month", "worker_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="place.id")
    month: str = Field(sa_type=String(7))  # "2026-11", in the street's time zone
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    reviewer_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    scores: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scale: int = 5
    note: str | None = Field(default=None, sa_type=Text)
    at: datetime = _time()


class PartnerReview(SQLModel, table=True):
    """A partner's rating of a social worker's cooperation in a month (社会评议): an
    organisation's representative or the volunteers' representative."""

    __tablename__ = "eval_partner_review"
    __table_args__ = (UniqueConstraint("street_id", "month", "worker_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="place.id")
    month: str = Field(sa_type=String(7))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    reviewer_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    role: str = Field(sa_type=String(32))
    score: int  # 1-5
    note: str | None = Field(default=None, sa_type=Text)
    at: datetime = _time()


class EvaluationComment(SQLModel, table=True):
    """What the social worker evaluated says about their month's evaluation."""

    __tablename__ = "eval_comment"
    __table_args__ = (UniqueConstraint("street_id", "month", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="place.id")
    month: str = Field(sa_type=String(7))
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    text: str = Field(sa_type=Text)
    at: datetime = _time()


class ClosedMonth(SQLModel, table=True):
    """A street's month of evaluation, closed by a street admin: ``results`` holds every
    social worker's and grid's result as it was then, and is what is shown from then on."""

    __tablename__ = "eval_closed_month"
    __table_args__ = (UniqueConstraint("street_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="place.id")
    month: str = Field(sa_type=String(7))
    closed_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    closed_at: datetime = _time()
    results: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CommandMenu(SQLModel, table=True):
    """A command menu set for one person in one chat (their private chat, or a group where
    they are staff), by a digest of its language and commands: it is set again only when what
    they may use, or their language, changes (bot.commands)."""

    __tablename__ = "command_menu"
    __table_args__ = (UniqueConstraint("person_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    digest: str = Field(sa_type=String(32))


# --- micro-venture rounds (微创投) -------------------------------------------------------
# Money is counted in fen (分), whole numbers: a budget of ¥50,000 is 5,000,000.


class RoundState(StrEnum):
    OPEN = "open"  # taking proposals until ``proposals_due_at``
    REVIEWING = "reviewing"  # the deadline passed: reviewers score, then the admin selects
    RUNNING = "running"  # projects selected and announced; milestones under way
    EVALUATING = "evaluating"  # residents and reviewers are asked for the final evaluation
    FINISHED = "finished"  # the round's report was sent
    CANCELLED = "cancelled"


class VentureRound(SQLModel, table=True):
    """A street's round of micro-venture projects (微创投): the needs it answers, its budget,
    when proposals close and when the selection is made."""

    __tablename__ = "venture_round"
    __table_args__ = (Index("ix_venture_round_state_due", "state", "proposals_due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="place.id", index=True)
    theme: str = Field(sa_type=Text)
    budget_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    cap_fen: int = Field(sa_column=Column(BigInteger, nullable=False))  # per project
    proposals_due_at: datetime = _time()
    selection_on: date
    # The criteria reviewers score against, in the words the admin chose.
    criteria: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    proposals_per_org: int = 1
    state: str = Field(default=RoundState.OPEN, sa_type=String(16))
    opened_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    # Why these projects were selected, as announced.
    selection_note: str | None = Field(default=None, sa_type=Text)
    announced_at: datetime | None = _time(default=None)
    review_called_at: datetime | None = _time(default=None)  # reviewers asked to score
    selected_at: datetime | None = _time(default=None)
    evaluation_called_at: datetime | None = _time(default=None)
    finished_at: datetime | None = _time(default=None)
    # The form's key, so a double tap on "open the round" opens one.
    source_key: str | None = Field(default=None, sa_type=String(100), unique=True)
    created_at: datetime = _time()


class RoundNeed(SQLModel, table=True):
    """A need a round answers: a wish its street adopted as a project."""

    __tablename__ = "venture_round_need"
    __table_args__ = (UniqueConstraint("round_id", "wish_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="venture_round.id", index=True)
    wish_id: int = Field(foreign_key="wish.id", index=True)


class RoundReviewer(SQLModel, table=True):
    """Someone a street admin named to score a round's proposals (street admins always may)."""

    __tablename__ = "venture_reviewer"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="venture_round.id", index=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    named_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    named_at: datetime = _time()


class ProposalState(StrEnum):
    SUBMITTED = "submitted"  # editable until the round's deadline
    WITHDRAWN = "withdrawn"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    COMPLETED = "completed"  # every milestone done; awaits the final evaluation


class Proposal(SQLModel, table=True):
    """An organisation's project proposal in a round, by its representative."""

    __tablename__ = "venture_proposal"
    __table_args__ = (Index("ix_venture_proposal_round_state", "round_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="venture_round.id")
    rep_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    organisation: str = Field(sa_type=String(200))
    title: str = Field(sa_type=String(200))
    plan: str = Field(sa_type=Text)
    team: str = Field(sa_type=Text)
    budget_fen: int = Field(sa_column=Column(BigInteger, nullable=False))  # its lines' sum
    state: str = Field(default=ProposalState.SUBMITTED, sa_type=String(16))
    # Why it was or was not selected, as the admin said.
    reason: str | None = Field(default=None, sa_type=Text)
    source_key: str | None = Field(default=None, sa_type=String(100), unique=True)
    submitted_at: datetime = _time()
    updated_at: datetime = _time()
    decided_at: datetime | None = _time(default=None)
    completed_at: datetime | None = _time(default=None)


class ProposalNeed(SQLModel, table=True):
    """A need of its round that a proposal answers."""

    __tablename__ = "venture_proposal_need"
    __table_args__ = (UniqueConstraint("proposal_id", "wish_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="venture_proposal.id", index=True)
    wish_id: int = Field(foreign_key="wish.id", index=True)


class BudgetLine(SQLModel, table=True):
    __tablename__ = "venture_budget_line"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="venture_proposal.id", index=True)
    position: int
    item: str = Field(sa_type=String(200))
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))


class MilestoneState(StrEnum):
    PENDING = "pending"
    DONE = "done"


class Milestone(SQLModel, table=True):
    """A step of a proposal's timeline, due on a day in the street's time zone: its
    representative is reminded before and, once it is overdue, the street admins are told."""

    __tablename__ = "venture_milestone"
    __table_args__ = (Index("ix_venture_milestone_state_due", "state", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="venture_proposal.id", index=True)
    position: int
    title: str = Field(sa_type=String(200))
    due_on: date
    state: str = Field(default=MilestoneState.PENDING, sa_type=String(8))
    reminded_at: datetime | None = _time(default=None)
    escalated_at: datetime | None = _time(default=None)
    done_at: datetime | None = _time(default=None)


class ScoreStage(StrEnum):
    SELECTION = "selection"  # a proposal scored before the selection
    FINAL = "final"  # a selected project's final evaluation (评估验收)


class ProposalScore(SQLModel, table=True):
    """A reviewer's scores of a proposal, per criterion of its round (1-5), and a note."""

    __tablename__ = "venture_score"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="venture_proposal.id", index=True)
    reviewer_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    stage: str = Field(default=ScoreStage.SELECTION, sa_type=String(16))
    scores: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, sa_type=Text)
    at: datetime = _time()


class ProgressReport(SQLModel, table=True):
    """What a project's representative reports of its progress, with photos (Telegram file
    ids), optionally for one milestone."""

    __tablename__ = "venture_progress"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="venture_proposal.id", index=True)
    milestone_id: int | None = Field(default=None, foreign_key="venture_milestone.id")
    author_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    text: str = Field(sa_type=Text)
    photo_file_ids: list[str] = Field(default_factory=list,
                                      sa_column=Column(JSON, nullable=False))
    source_key: str | None = Field(default=None, sa_type=String(100), unique=True)
    created_at: datetime = _time()


class ProjectRating(SQLModel, table=True):
    """The resident of a wish a project answered, asked whether it was solved: the same
    answer, and score, as for a fulfilled wish."""

    __tablename__ = "venture_rating"
    __table_args__ = (UniqueConstraint("proposal_id", "wish_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="venture_proposal.id", index=True)
    wish_id: int = Field(foreign_key="wish.id")
    resident_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    score: int | None = None  # 5 solved, 3 partly, 1 not solved (bot.keyboards); None: asked
    asked_at: datetime = _time()
    answered_at: datetime | None = _time(default=None)


# --- residents' council (居民议事会) -----------------------------------------------------------


class MatterKind(StrEnum):
    """The three councils of 一委三会: the same shape, each in its own words."""

    DELIBERATION = "deliberation"  # 议事
    HEARING = "hearing"  # 听证
    REVIEW = "review"  # 评议


class MatterState(StrEnum):
    DISCUSSION = "discussion"  # comments gathered until ``discussion_ends_at``
    VOTING = "voting"  # the vote is open until ``vote_ends_at``
    CLOSED = "closed"


class Matter(SQLModel, table=True):
    """A matter put to a community's residents' council (居民议事会, 议题): discussed, voted on
    by the community's residents, closed with an outcome that is minuted."""

    __tablename__ = "council_matter"
    __table_args__ = (Index("ix_council_matter_discussion", "state", "discussion_ends_at"),
                      Index("ix_council_matter_vote", "state", "vote_ends_at"))

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="place.id", index=True)
    kind: str = Field(sa_type=String(16))
    title: str = Field(sa_type=Text)
    question: str = Field(sa_type=Text)
    # The opener's own options; empty: for, against, abstain in the reader's words.
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str = Field(sa_type=String(16))  # "question", "wish" or "proposal"
    wish_id: int | None = Field(default=None, foreign_key="wish.id")
    proposal_id: int | None = None
    opened_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: str = Field(default=MatterState.DISCUSSION, sa_type=String(16))
    discussion_ends_at: datetime = _time()
    vote_ends_at: datetime = _time()
    quorum_votes: int | None = None  # votes needed, or
    quorum_percent: int | None = None  # a share of the eligible residents
    hidden: bool = False  # counts shown only once the vote closes
    post_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    post_message_id: int | None = Field(default=None, sa_column=Column(Integer))
    vote_message_id: int | None = Field(default=None, sa_column=Column(Integer))
    voting_at: datetime | None = _time(default=None)
    closed_at: datetime | None = _time(default=None)
    closed_by: int | None = Field(default=None, sa_column=Column(BigInteger))  # None: in time
    # The record at the close: counts per option, eligible residents, quorum met, outcome.
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    topic_id: int | None = Field(default=None, foreign_key="meeting_topic.id")
    # The form's key, so a double tap on Open opens one matter.
    source_key: str | None = Field(default=None, sa_type=String(100), unique=True)
    created_at: datetime = _time()


class MatterComment(SQLModel, table=True):
    """A resident's comment on a matter under discussion, kept for the minutes."""

    __tablename__ = "council_comment"

    id: int | None = Field(default=None, primary_key=True)
    matter_id: int = Field(foreign_key="council_matter.id", index=True)
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    text: str = Field(sa_type=Text)
    created_at: datetime = _time()


class MatterVote(SQLModel, table=True):
    """One resident's vote on a matter: one row each, changed in place until the close."""

    __tablename__ = "council_vote"
    __table_args__ = (UniqueConstraint("matter_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    matter_id: int = Field(foreign_key="council_matter.id")
    person_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    choice: int  # the option's index
    voted_at: datetime = _time()
