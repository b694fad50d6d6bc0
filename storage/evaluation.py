"""The monthly evaluation (考评) of a street's social workers and grids.

Three parts, each on 0–100, make the total by the street's weights (default 40/40/20):
- residents (群众评价, 下评上): the ratings residents gave in the month to the wishes of the
  worker's grids; a rating of 1–5 counts (score − 1) × 25, so 1 is 0, 3 ("partly solved") is
  50, 5 is 100; the part is their mean.
- organisation (组织考核): the admins' reviews, a score per criterion on the street's scale;
  a review counts the mean of (score − 1) / (scale − 1) × 100 over its criteria, the part is
  the mean of the reviews.
- partners (社会评议): organisation and volunteers' representatives rate the worker's
  cooperation from 1 to 5, counted as the residents' ratings are; the part is their mean.

A part without any rating or review is left out and the weights of the others count in its
place (40/40 of 100 becomes 50/50); with no part at all there is no total. A grid's residents'
part is its own ratings; its organisation's and partners' parts are the means of those of the
social workers who serve it.

A month is that of the street's time zone. Once a street admin closes it, the results of that
moment are kept with it and shown from then on: reviews, comments and late ratings change
nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationError, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, places, reports
from storage.models import (
    ClosedMonth,
    EvaluationComment,
    PartnerReview,
    Place,
    PlaceKind,
    Rating,
    Role,
    RoleGrant,
    StaffReview,
    Wish,
)
from storage.words import check

SETTING = "evaluation"  # the key of a street's evaluation settings in Place.settings
# The default criteria, by key; their words are the bot's (bot.labels). A street's own
# criteria are kept as they were typed.
DEFAULT_CRITERIA = ("attitude", "results", "records", "cooperation")
MAX_NOTE = 300
MAX_COMMENT = 1000
PARTNER_SCALE = 5
PARTS = ("residents", "organisation", "partners")
# The report's figures (storage.reports) that belong to a social worker, for their grids.
WORK_COUNTS = ("submitted", "claimed", "fulfilled", "confirmed", "to_community",
               "volunteer_minutes", "active_volunteers")


class EvaluationSettings(BaseModel):
    """A street's criteria, scale and weights (in percent); a community or grid has none."""

    criteria: list[str] = Field(default_factory=lambda: list(DEFAULT_CRITERIA),
                                min_length=1, max_length=8)
    scale: int = Field(default=5, ge=2, le=10)
    residents: int = Field(default=40, ge=0, le=100)
    organisation: int = Field(default=40, ge=0, le=100)
    partners: int = Field(default=20, ge=0, le=100)

    @model_validator(mode="after")
    def _weights_make_a_hundred(self) -> EvaluationSettings:
        if self.residents + self.organisation + self.partners != 100:
            raise ValueError("the weights make 100")
        if any(not name.strip() or len(name) > 20 for name in self.criteria):
            raise ValueError("a criterion is one to twenty characters")
        if len(set(self.criteria)) != len(self.criteria):
            raise ValueError("criteria differ")
        return self

    def weights(self) -> dict[str, int]:
        return {part: getattr(self, part) for part in PARTS}


def settings_of(street: Place) -> EvaluationSettings:
    try:
        return EvaluationSettings.model_validate((street.settings or {}).get(SETTING) or {})
    except ValidationError:
        return EvaluationSettings()


def with_change(current: EvaluationSettings, **change: Any) -> EvaluationSettings | None:
    """The settings with ``change``, or None when they would not be valid."""
    try:
        return EvaluationSettings.model_validate({**current.model_dump(), **change})
    except ValidationError:
        return None


# -- months ----------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_month(text: str) -> bool:
    return _MONTH.match(text) is not None


def month_of(moment: datetime, timezone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m}"


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:]), 1)


def bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """The month's UTC bounds, half-open, in the place's time zone."""
    zone = ZoneInfo(timezone)
    year, number = int(month[:4]), int(month[5:])
    after = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return tuple(datetime.combine(day, time(), zone).astimezone(UTC)  # type: ignore[return-value]
                 for day in (date(year, number, 1), after))


# -- the results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Parts:
    """One social worker's or grid's month: the three parts (0–100, None without data),
    the total, and what they were made of."""

    residents: float | None = None
    organisation: float | None = None
    partners: float | None = None
    total: float | None = None
    ratings: int = 0
    solved: int = 0
    partly: int = 0
    not_solved: int = 0
    staff_reviews: int = 0
    partner_reviews: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> Parts:
        return Parts(**{name: data.get(name) for name in Parts.__dataclass_fields__
                        if name in data})


@dataclass(frozen=True)
class Results:
    """A street's month: every social worker's and grid's parts, and the weights used."""

    street_id: int
    month: str
    weights: dict[str, int]
    people: dict[int, Parts] = field(default_factory=dict)
    grids: dict[int, Parts] = field(default_factory=dict)
    # Each social worker's grids, and the grids' names, as they were.
    grids_of: dict[int, list[int]] = field(default_factory=dict)
    # The report's figures of each social worker's grids (WORK_COUNTS, and the median
    # seconds "to_claim" and "to_fulfil"), for those asked for; all of them once closed.
    figures: dict[int, dict[str, float | None]] = field(default_factory=dict)
    closed_at: datetime | None = None
    closed_by: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"weights": self.weights,
                "people": {str(k): v.as_json() for k, v in self.people.items()},
                "grids": {str(k): v.as_json() for k, v in self.grids.items()},
                "grids_of": {str(k): v for k, v in self.grids_of.items()},
                "figures": {str(k): v for k, v in self.figures.items()}}

    @staticmethod
    def from_closed(closed: ClosedMonth) -> Results:
        data = closed.results
        return Results(
            street_id=closed.street_id, month=closed.month, weights=data["weights"],
            people={int(k): Parts.from_json(v) for k, v in data["people"].items()},
            grids={int(k): Parts.from_json(v) for k, v in data["grids"].items()},
            grids_of={int(k): list(v) for k, v in data["grids_of"].items()},
            figures={int(k): dict(v) for k, v in data.get("figures", {}).items()},
            closed_at=closed.closed_at, closed_by=closed.closed_by)


def rating_points(score: int, scale: int = PARTNER_SCALE) -> float:
    """A score of 1..scale on 0–100."""
    return (score - 1) * 100 / (scale - 1)


def total(parts: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """The weighted mean of the parts that have data."""
    present = {name: value for name, value in parts.items()
               if value is not None and weights.get(name, 0) > 0}
    weight = sum(weights[name] for name in present)
    if not weight:
        return None
    return sum(value * weights[name] for name, value in present.items()) / weight


def _mean(values: Sequence[float]) -> float | None:
    return fmean(values) if values else None


def _review_points(review: StaffReview) -> float | None:
    scores = [rating_points(score, review.scale) for score in review.scores.values()]
    return _mean(scores)


def _parts(weights: dict[str, int], ratings: list[int], staff: list[float],
           partners: list[float]) -> Parts:
    values = {"residents": _mean([rating_points(s) for s in ratings]),
              "organisation": _mean(staff), "partners": _mean(partners)}
    return Parts(**values, total=total(values, weights), ratings=len(ratings),
                 solved=sum(s >= 4 for s in ratings), partly=sum(s == 3 for s in ratings),
                 not_solved=sum(s <= 2 for s in ratings), staff_reviews=len(staff),
                 partner_reviews=len(partners))


def _grid_parts(weights: dict[str, int], ratings: list[int],
                workers: Iterable[Parts]) -> Parts:
    served = list(workers)
    organisation = _mean([p.organisation for p in served if p.organisation is not None])
    partners = _mean([p.partners for p in served if p.partners is not None])
    values = {"residents": _mean([rating_points(s) for s in ratings]),
              "organisation": organisation, "partners": partners}
    return Parts(**values, total=total(values, weights), ratings=len(ratings),
                 solved=sum(s >= 4 for s in ratings), partly=sum(s == 3 for s in ratings),
                 not_solved=sum(s <= 2 for s in ratings),
                 staff_reviews=sum(p.staff_reviews for p in served),
                 partner_reviews=sum(p.partner_reviews for p in served))


async def street_of(session: AsyncSession, place_id: int) -> Place | None:
    place = await places.get(session, place_id)
    if place is None:
        return None
    top = (await places.chain(session, place))[-1]
    return top if top.kind == PlaceKind.STREET else None


async def _places_of(session: AsyncSession, street_id: int) -> list[Place]:
    found: list[Place] = []
    frontier = [street_id]
    while frontier:
        below = list((await session.exec(
            select(Place).where(col(Place.parent_id).in_(frontier)))).all())
        found.extend(below)
        frontier = [p.id for p in below if p.id is not None]
    return found


async def workers_and_grids(session: AsyncSession,
                            street_id: int) -> tuple[dict[int, list[int]], list[Place]]:
    """The street's social workers with the grids each serves, and the street's grids."""
    below = await _places_of(session, street_id)
    grids = [p for p in below if p.kind == PlaceKind.GRID]
    grids_under: dict[int, list[int]] = {p.id: [] for p in below if p.id is not None}
    grids_under.update({g.id: [g.id] for g in grids if g.id is not None})
    for grid in grids:
        if grid.parent_id is not None and grid.id is not None:
            grids_under.setdefault(grid.parent_id, []).append(grid.id)
    all_grids = [g.id for g in grids if g.id is not None]
    grids_under[street_id] = all_grids
    grants = (await session.exec(select(RoleGrant.person_id, RoleGrant.place_id).where(
        RoleGrant.role == Role.SOCIAL_WORKER,
        col(RoleGrant.place_id).in_(list(grids_under))))).all()
    served: dict[int, set[int]] = defaultdict(set)
    for person_id, place_id in grants:
        served[person_id].update(grids_under.get(place_id, []))
    return {person: sorted(ids) for person, ids in served.items()}, grids


async def _ratings_by_grid(session: AsyncSession, grid_ids: list[int], start: datetime,
                           end: datetime) -> dict[int, list[int]]:
    if not grid_ids:
        return {}
    rows = (await session.exec(
        select(Wish.grid_id, Rating.score).join(Wish, col(Wish.id) == col(Rating.wish_id))
        .where(col(Wish.grid_id).in_(grid_ids), col(Rating.created_at) >= start,
               col(Rating.created_at) < end))).all()
    found: dict[int, list[int]] = defaultdict(list)
    for grid_id, score in rows:
        found[grid_id].append(score)
    return found


async def work_figures(session: AsyncSession, grid_ids: Sequence[int], start: datetime,
                       end: datetime, timezone: str) -> dict[str, float | None]:
    """What the report says of a social worker's grids in the month."""
    if not grid_ids:
        return {}
    found = await reports.figures(session, grid_ids, start, end, timezone=timezone)
    return {**{name: getattr(found, name) for name in WORK_COUNTS},
            "to_claim": found.to_claim.median, "to_fulfil": found.to_fulfil.median}


async def live(session: AsyncSession, street: Place, month: str,
               figures_of: Iterable[int] = ()) -> Results:
    """The month's results as the rows hold them now, with the report's figures for the
    social workers ``figures_of``."""
    assert street.id is not None
    weights = settings_of(street).weights()
    served, grids = await workers_and_grids(session, street.id)
    start, end = bounds(month, street.timezone)
    ratings = await _ratings_by_grid(session, [g.id for g in grids if g.id], start, end)
    staff: dict[int, list[float]] = defaultdict(list)
    for review in (await session.exec(select(StaffReview).where(
            StaffReview.street_id == street.id, StaffReview.month == month))).all():
        points = _review_points(review)
        if points is not None:
            staff[review.worker_id].append(points)
    partners: dict[int, list[float]] = defaultdict(list)
    for review in (await session.exec(select(PartnerReview).where(
            PartnerReview.street_id == street.id, PartnerReview.month == month))).all():
        partners[review.worker_id].append(rating_points(review.score))
    people = {person: _parts(weights, [s for g in ids for s in ratings.get(g, [])],
                             staff[person], partners[person])
              for person, ids in served.items()}
    serving: dict[int, list[int]] = defaultdict(list)
    for person, ids in served.items():
        for grid_id in ids:
            serving[grid_id].append(person)
    grid_results = {g.id: _grid_parts(weights, ratings.get(g.id, []),
                                      (people[p] for p in serving[g.id]))
                    for g in grids if g.id is not None}
    figures = {person: await work_figures(session, served[person], start, end,
                                          street.timezone)
               for person in figures_of if person in served}
    return Results(street.id, month, weights, people, grid_results, served, figures)


async def closed(session: AsyncSession, street_id: int, month: str) -> ClosedMonth | None:
    return (await session.exec(select(ClosedMonth).where(
        ClosedMonth.street_id == street_id, ClosedMonth.month == month))).first()


async def results(session: AsyncSession, street: Place, month: str,
                  figures_of: Iterable[int] = ()) -> Results:
    """What is shown: the kept results of a closed month, else the live ones."""
    kept = await closed(session, street.id or 0, month)
    return Results.from_closed(kept) if kept is not None else await live(
        session, street, month, figures_of)


# -- changes ---------------------------------------------------------------------------------


class Result(StrEnum):
    OK = "ok"
    CLOSED = "closed"  # the month is closed: nothing changes any more
    ALREADY = "already"  # closed before
    NOT_FOUND = "not_found"  # not a social worker of a street
    NOT_YOURS = "not_yours"
    NOT_ALLOWED = "not_allowed"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    OUT_OF_RANGE = "out_of_range"
    FUTURE = "future"  # a month that has not begun


def text_check(text: str | None, limit: int) -> Result:
    return Result(check(text, limit)) if text is not None else Result.OK


async def review_staff(session: AsyncSession, *, street: Place, month: str, worker_id: int,
                       reviewer_id: int, scores: dict[str, int], note: str | None,
                       now: datetime) -> Result:
    """Keep an admin's review (their earlier one of the same month is replaced)."""
    current = settings_of(street)
    if set(scores) != set(current.criteria) or not all(
            1 <= value <= current.scale for value in scores.values()):
        return Result.OUT_OF_RANGE
    checked = text_check(note, MAX_NOTE)
    if checked is not Result.OK and checked is not Result.EMPTY:
        return checked
    if await closed(session, street.id or 0, month) is not None:
        return Result.CLOSED
    row = (await session.exec(select(StaffReview).where(
        StaffReview.street_id == street.id, StaffReview.month == month,
        StaffReview.worker_id == worker_id, StaffReview.reviewer_id == reviewer_id))).first()
    if row is None:
        row = StaffReview(street_id=street.id or 0, month=month, worker_id=worker_id,
                          reviewer_id=reviewer_id, at=now)
        session.add(row)
    row.scores, row.scale, row.at = dict(scores), current.scale, now
    row.note = note.strip() if note and checked is Result.OK else None
    await session.flush()
    await audit.record(session, entity="evaluation", entity_id=worker_id, actor_id=reviewer_id,
                       action="staff_review", at=now, detail=f"{month} street={street.id}")
    return Result.OK


async def review_as_partner(session: AsyncSession, *, street: Place, month: str,
                            worker_id: int, reviewer_id: int, role: Role, score: int,
                            note: str | None, now: datetime) -> Result:
    if not 1 <= score <= PARTNER_SCALE:
        return Result.OUT_OF_RANGE
    checked = text_check(note, MAX_NOTE)
    if checked is not Result.OK and checked is not Result.EMPTY:
        return checked
    if await closed(session, street.id or 0, month) is not None:
        return Result.CLOSED
    row = (await session.exec(select(PartnerReview).where(
        PartnerReview.street_id == street.id, PartnerReview.month == month,
        PartnerReview.worker_id == worker_id,
        PartnerReview.reviewer_id == reviewer_id))).first()
    if row is None:
        row = PartnerReview(street_id=street.id or 0, month=month, worker_id=worker_id,
                            reviewer_id=reviewer_id, role=role, score=score, at=now)
        session.add(row)
    row.role, row.score, row.at = role, score, now
    row.note = note.strip() if note and checked is Result.OK else None
    await session.flush()
    await audit.record(session, entity="evaluation", entity_id=worker_id, actor_id=reviewer_id,
                       action="partner_review", at=now, detail=f"{month} street={street.id}")
    return Result.OK


async def comment_of(session: AsyncSession, street_id: int, month: str,
                     person_id: int) -> EvaluationComment | None:
    return (await session.exec(select(EvaluationComment).where(
        EvaluationComment.street_id == street_id, EvaluationComment.month == month,
        EvaluationComment.person_id == person_id))).first()


async def set_comment(session: AsyncSession, *, street: Place, month: str, person_id: int,
                      text: str, now: datetime) -> Result:
    checked = Result(check(text, MAX_COMMENT))
    if checked is not Result.OK:
        return checked
    if await closed(session, street.id or 0, month) is not None:
        return Result.CLOSED
    row = await comment_of(session, street.id or 0, month, person_id)
    if row is None:
        row = EvaluationComment(street_id=street.id or 0, month=month, person_id=person_id,
                                text="", at=now)
        session.add(row)
    row.text, row.at = text.strip(), now
    await session.flush()
    await audit.record(session, entity="evaluation", entity_id=person_id, actor_id=person_id,
                       action="comment", at=now, detail=f"{month} street={street.id}")
    return Result.OK


async def close(session: AsyncSession, *, street: Place, month: str, by: int,
                now: datetime) -> Result:
    """Close the month with its results as they are now; closing it again changes nothing."""
    if await closed(session, street.id or 0, month) is not None:
        return Result.ALREADY
    served, _grids = await workers_and_grids(session, street.id or 0)
    kept = await live(session, street, month, figures_of=served)
    try:
        async with session.begin_nested():
            session.add(ClosedMonth(street_id=street.id or 0, month=month, closed_by=by,
                                    closed_at=now, results=kept.as_json()))
    except IntegrityError:  # closed at the same moment by someone else
        return Result.ALREADY
    await audit.record(session, entity="evaluation", entity_id=street.id or 0, actor_id=by,
                       action="close_month", at=now, detail=month)
    return Result.OK

