"""A district's database, filled directly (no bot involved) and kept between runs.

A district is 2,010 places (10 street offices, 100 communities, 1,900 grids), half a million
people and three years of work: a million wishes with their claims, cards, ratings, hours,
volunteer pings and audit rows, a million messages sent, a few hundred thousand questions,
pages, meetings and answers. `SMALL` is one street office's two communities with two thousand
wishes, filled by the same code. Rows are written straight into the tables (SQLite's own
module; PostgreSQL's COPY), so a district takes minutes, not the hours the bot would need.

The database is made once for each schema revision and kept (see `cached`). On SQLite nothing
gathers the planner's statistics, as on a bot that has been running for three years without
anyone doing it; on PostgreSQL `VACUUM ANALYZE` does what autovacuum does on its own soon after
such a load.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, Table
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bench.common import postgres_server_url
from storage import models  # noqa: F401  (the tables)
from storage.types import UTCDateTime

FILL_VERSION = 2  # a new number when the filled data changes: the caches are made again
SEED = 20261202
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
LOCAL = timedelta(hours=8)  # Asia/Shanghai, every place's time zone here
CHUNK = 20_000  # wishes generated and written at a time, with everything that hangs on them
SKILLS = ("elder_care", "tutoring", "repairs", "errands", "medical", "legal", "psychological",
          "other")
CATEGORIES = ("elderly", "children", "disability", "daily_life", "learning", "other")
WISH_TEXTS = ("帮我去超市买米和油", "想找人陪老人去医院复查", "孩子的数学作业需要辅导",
              "家里水龙头坏了，想请人帮忙修", "腿脚不便，想请人代取药品", "想学用手机挂号",
              "楼道灯坏了好几天了", "想请人帮忙搬一下旧家具")
BIG_SETTINGS = {"person_wishes_per_hour": 1000, "group_wishes_per_hour": 1000}


@dataclass(frozen=True)
class Scale:
    label: str
    streets: int
    communities_per_street: int
    grids_per_community: int
    persons: int
    volunteers: int
    wishes: int
    years: int = 3
    outbox_per_wish: float = 1.0
    audit_per_wish: float = 3.6
    pings_per_wish: float = 1.0
    updates_kept: int = 0  # updates of the last two days, remembered to drop repeats

    @property
    def grids(self) -> int:
        return self.streets * self.communities_per_street * self.grids_per_community

    @property
    def places(self) -> int:
        communities = self.streets * self.communities_per_street
        return self.streets + communities + self.grids


DISTRICT = Scale("district", 10, 10, 19, persons=500_000, volunteers=20_000, wishes=1_000_000,
                 updates_kept=200_000)
SMALL = Scale("small", 1, 2, 5, persons=2_000, volunteers=100, wishes=2_000, updates_kept=400)


# --- ids the bench and the data agree on --------------------------------------------------

def person_id(n: int) -> int:
    return 10_000_000 + n


def place_chat(place_id: int) -> int:
    return -1_009_000_000_000 - place_id


def wish_message(wish_id: int) -> int:
    """The group message a filled wish was posted with (far above the bench's own ids)."""
    return 1_000_000_000 + wish_id


FIRST_UPDATE_KEPT = 5_000_000_000  # processed_update ids of the filled data


# --- the rows -----------------------------------------------------------------------------

@dataclass
class Places:
    streets: list[int] = field(default_factory=list)
    communities: list[int] = field(default_factory=list)
    grids: list[int] = field(default_factory=list)
    parent: dict[int, int] = field(default_factory=dict)


@dataclass
class People:
    admins: dict[int, list[int]] = field(default_factory=dict)  # street → persons
    workers: dict[int, list[int]] = field(default_factory=dict)  # community → persons
    cadres: dict[int, list[int]] = field(default_factory=dict)
    volunteers_of: dict[int, list[int]] = field(default_factory=dict)  # grid → approved
    residents: range = range(0)


class Filler:
    """Makes every table's rows, in the order the foreign keys need them."""

    def __init__(self, scale: Scale, now: datetime) -> None:
        self.scale = scale
        self.now = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        self.start = self.now - scale.years * 365 * DAY
        self.rng = random.Random(SEED)
        self.places = Places()
        self.people = People()
        self.ids: dict[str, int] = {}
        self.audit_owed = 0.0

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def moment(self, earliest: datetime, latest: datetime) -> datetime:
        span = max((latest - earliest).total_seconds(), 1.0)
        return earliest + timedelta(seconds=self.rng.random() * span)

    # places, people, roles, volunteers ---------------------------------------------------

    def place_rows(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        scale, created = self.scale, self.start - 30 * DAY

        def place(kind: str, name: str, parent: int | None, settings: dict[str, Any]) -> int:
            place_id = len(rows) + 1
            rows.append((place_id, kind, name, parent, place_chat(place_id), "Asia/Shanghai",
                         None, json.dumps(settings), created))
            if parent is not None:
                self.places.parent[place_id] = parent
            return place_id

        for s in range(scale.streets):
            # The bench's mix posts more than the limits on people let through in an hour.
            street = place("street", f"第{s + 1}街道", None, BIG_SETTINGS)
            self.places.streets.append(street)
            for c in range(scale.communities_per_street):
                community = place("community", f"第{s + 1}-{c + 1}社区", street, {})
                self.places.communities.append(community)
                for g in range(scale.grids_per_community):
                    self.places.grids.append(place("grid", f"第{s + 1}-{c + 1}-{g + 1}网格",
                                                   community, {}))
        return rows

    def person_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, start = self.rng, self.start - 60 * DAY
        span = (self.now - start).total_seconds()
        for n in range(self.scale.persons):
            name = f"居民{n}"
            yield (person_id(n), name, f"user{n}" if n % 3 == 0 else None, "zh-hans", None,
                   rng.random() < 0.7, start + timedelta(seconds=rng.random() * span))

    def staff_and_roles(self) -> tuple[list[tuple[Any, ...]], int]:
        """Admins of each street, social workers and cadres of each community: role rows, and
        how many persons they took (the first ones)."""
        roles: list[tuple[Any, ...]] = []
        n = 0

        def grant(person: int, place_id: int, role: str) -> None:
            roles.append((self.next_id("rolegrant"), person, place_id, role, None, self.start))

        for street in self.places.streets:
            self.people.admins[street] = [person_id(n), person_id(n + 1)]
            for person in self.people.admins[street]:
                grant(person, street, "admin")
            n += 2
        for community in self.places.communities:
            self.people.workers[community] = [person_id(n + k) for k in range(3)]
            self.people.cadres[community] = [person_id(n + 3), person_id(n + 4)]
            for person in self.people.workers[community]:
                grant(person, community, "social_worker")
            for person in self.people.cadres[community]:
                grant(person, community, "cadre")
            grant(person_id(n + 5), community, "org_rep")
            n += 6
        return roles, n

    def volunteer_rows(self, first: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]],
                                                   list[tuple[Any, ...]]]:
        """Volunteers (most approved, some paused, suspended, waiting or declined), the grids
        they serve and their role rows."""
        rng, grids = self.rng, self.places.grids
        volunteers: list[tuple[Any, ...]] = []
        served: list[tuple[Any, ...]] = []
        roles: list[tuple[Any, ...]] = []
        for k in range(self.scale.volunteers):
            person = person_id(first + k)
            r = rng.random()
            status = ("approved" if r < 0.85 else "paused" if r < 0.90 else
                      "suspended" if r < 0.92 else "applied" if r < 0.97 else "declined")
            applied = self.moment(self.start, self.now - 5 * DAY)
            decided = applied + timedelta(hours=rng.uniform(2, 96))
            skills = rng.sample(SKILLS, rng.randint(1, 3))
            days = sorted(rng.sample(range(7), rng.randint(2, 7)))
            periods = rng.sample(("morning", "afternoon", "evening"), rng.randint(1, 3))
            volunteers.append((
                person, f"志愿者{k}", f"139{k:08d}", json.dumps(skills), None, json.dumps(days),
                json.dumps(periods), status, None, None, rng.random() < 0.9,
                rng.random() < 0.9, applied, applied,
                None if status == "applied" else decided,
                None if status == "applied" else self.people.workers[
                    self.places.parent[grids[k % len(grids)]]][0]))
            mine = [grids[k % len(grids)]]
            if rng.random() < 0.1:
                mine.append(grids[(k + 1) % len(grids)])
            for grid in mine:
                served.append((self.next_id("volunteer_grid"), person, grid))
                if status in ("approved", "paused", "suspended"):
                    roles.append((self.next_id("rolegrant"), person, grid, "volunteer", None,
                                  decided))
                if status == "approved":
                    self.people.volunteers_of.setdefault(grid, []).append(person)
        return volunteers, served, roles

    # wishes and everything that hangs on them --------------------------------------------

    def wish_chunks(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        total = self.scale.wishes
        for first in range(0, total, CHUNK):
            rows: dict[str, list[tuple[Any, ...]]] = {
                name: [] for name in ("wish", "claim", "wish_post", "rating", "service_log",
                                      "volunteer_ping", "audit_log", "outbox")}
            for n in range(first, min(first + CHUNK, total)):
                self._wish(n, rows)
            yield rows

    def _wish(self, n: int, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        rng, scale, now = self.rng, self.scale, self.now
        wish_id = n + 1
        created = self.start + (now - self.start) * ((n + rng.random()) / scale.wishes)
        age = now - created
        grid = self.places.grids[rng.randrange(len(self.places.grids))]
        community = self.places.parent[grid]
        resident = person_id(rng.randrange(self.people.residents.start,
                                           self.people.residents.stop))
        state, tier = self._state(rng, age)
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        text = f"{WISH_TEXTS[rng.randrange(len(WISH_TEXTS))]}（{wish_id}）"
        helpers = self.people.volunteers_of.get(grid) or [person_id(0)]
        w: dict[str, Any] = dict.fromkeys((
            "opened", "claimed", "fulfilled", "closed", "grid_deadline", "community_deadline",
            "confirm_deadline", "claim_remind", "claim_release", "claimer"))
        w["unconfirmed"] = False
        audit = rows["audit_log"]
        audit_before = len(audit)

        def record(actor: int | None, action: str, before: str | None, after: str | None,
                   at: datetime) -> int:
            audit_id = self.next_id("audit_log")
            audit.append((audit_id, "wish", wish_id, actor, action, before, after, None, at))
            return audit_id

        posted = record(resident, "submit", None, "open" if state != "submitted" else
                        "submitted", created)
        if state != "submitted":
            w["opened"] = created
            w["grid_deadline"] = created + 48 * HOUR
            if tier != "grid":
                w["community_deadline"] = w["grid_deadline"] + 168 * HOUR
            if state not in ("rejected",):
                self._card(rows, wish_id, grid, community, tier, created, posted)
        claim_id = None
        if state in ("claimed", "fulfilled", "closed"):
            if rng.random() < 0.1 and state == "closed":  # an earlier claim that lapsed
                lapsed_at = created + rng.uniform(1, 30) * HOUR
                self._claim(rows, wish_id, rng.choice(helpers), lapsed_at,
                            lapsed_at + 72 * HOUR, "expired")
                record(None, "release_claim", "claimed", "open", lapsed_at + 72 * HOUR)
            claimer = rng.choice(helpers)
            claimed = created + rng.uniform(1, 40) * HOUR
            if state == "claimed":
                claimed = min(claimed, now - rng.uniform(0.1, 60) * HOUR)
            w["claimer"], w["claimed"] = claimer, claimed
            event = record(claimer, "claim", "open", "claimed", claimed)
            if rng.random() < 0.13:
                self._notice(rows, wish_id, resident, event, claimed)
            ended = None
            if state in ("fulfilled", "closed"):
                ended = claimed + rng.uniform(2, 72) * HOUR
                if state == "fulfilled":
                    ended = min(ended, now - rng.uniform(0.1, 48) * HOUR)
                w["fulfilled"] = ended
                record(claimer, "fulfil", "claimed", "fulfilled", ended)
            else:
                w["claim_remind"] = claimed + 24 * HOUR if claimed + 24 * HOUR > now else None
                w["claim_release"] = claimed + 72 * HOUR
            claim_id = self._claim(rows, wish_id, claimer, claimed, ended,
                                   "fulfilled" if ended else None)
            if state == "fulfilled":
                w["confirm_deadline"] = ended + 72 * HOUR  # type: ignore[operator]
            if state == "closed" and ended is not None:
                w["unconfirmed"] = rng.random() < 0.1
                w["closed"] = ended + rng.uniform(1, 72) * HOUR
                record(None if w["unconfirmed"] else resident, "confirm", "fulfilled",
                       "closed", w["closed"])
                if not w["unconfirmed"] and rng.random() < 0.45:
                    rows["rating"].append((self.next_id("rating"), wish_id, claim_id, resident,
                                           claimer, rng.choice((3, 4, 5, 5, 5)), None,
                                           w["closed"]))
                if rng.random() < 0.7:
                    self._hours(rows, claimer, grid, wish_id, claim_id, ended)
        elif state in ("cancelled", "rejected"):
            w["closed"] = created + rng.uniform(1, 100) * HOUR
            record(resident if state == "cancelled" else self.people.workers[community][0],
                   "withdraw" if state == "cancelled" else "reject", "open", state, w["closed"])
        self._pings(rows, wish_id, grid, resident, created)
        # Other entries about a wish (contact details shown, comments, reminders), up to the
        # district's count of audit rows per wish.
        self.audit_owed += scale.audit_per_wish - (len(audit) - audit_before)
        while self.audit_owed >= 1:
            record(w["claimer"] or resident, "show_contact", None, None, created + HOUR)
            self.audit_owed -= 1
        rows["wish"].append((
            wish_id, grid, resident, text, category, rng.random() < 0.04, None,
            f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元" if rng.random() < 0.5 else None,
            state, tier, False, w["claimer"], "不在服务范围" if state == "rejected" else None,
            f"msg:{place_chat(grid)}:{wish_message(wish_id)}", created, w["opened"],
            w["claimed"], w["fulfilled"], w["closed"],
            w["grid_deadline"], w["community_deadline"], w["confirm_deadline"],
            w["claim_remind"], w["claim_release"], w["unconfirmed"], None))

    @staticmethod
    def _state(rng: random.Random, age: timedelta) -> tuple[str, str]:
        r = rng.random()
        if age > 10 * DAY:
            if r < 0.80:
                return "closed", "grid" if r < 0.70 else "community"
            if r < 0.90:
                return "cancelled", "grid"
            if r < 0.97 or age > 120 * DAY:
                return "rejected", "grid"
            return "open", "street"
        if r < 0.05:
            return "submitted", "grid"
        if r < 0.25 and age < 2 * DAY:
            return "open", "grid"
        if r < 0.35:
            return "open", "community"
        if r < 0.60:
            return "claimed", "grid"
        if r < 0.75:
            return "fulfilled", "grid"
        return "closed", "grid"

    def _card(self, rows: dict[str, list[tuple[Any, ...]]], wish_id: int, grid: int,
              community: int, tier: str, at: datetime, event: int) -> None:
        chats = [place_chat(grid)]
        if tier != "grid":
            chats.append(place_chat(community))
        for chat in chats:
            rows["wish_post"].append((self.next_id("wish_post"), wish_id, chat,
                                      wish_message(wish_id)))
        recent = self.now - at < 30 * DAY  # older ones were emptied by the retention sweep
        for k in range(max(1, round(self.scale.outbox_per_wish))):
            chat = chats[k % len(chats)]
            rows["outbox"].append((
                self.next_id("outbox"), f"card:{wish_id}:{chat}:{event}:{k}", "card", 2, chat,
                f"微心愿 #{wish_id}" if recent else "", None, wish_id, None, None, "sent", 1,
                at, at, at + timedelta(seconds=1), wish_message(wish_id), None))

    def _notice(self, rows: dict[str, list[tuple[Any, ...]]], wish_id: int, person: int,
                event: int, at: datetime) -> None:
        text = "你的微心愿有志愿者认领了" if self.now - at < 30 * DAY else ""
        rows["outbox"].append((
            self.next_id("outbox"), f"audit:{event}:resident", "message", 1, person, text, None,
            None, None, None, "sent", 1, at, at, at + timedelta(seconds=1), None, None))

    def _claim(self, rows: dict[str, list[tuple[Any, ...]]], wish_id: int, volunteer: int,
               claimed: datetime, ended: datetime | None, outcome: str | None) -> int:
        claim_id = self.next_id("claim")
        rows["claim"].append((claim_id, wish_id, volunteer, claimed, ended, outcome))
        return claim_id

    def _hours(self, rows: dict[str, list[tuple[Any, ...]]], volunteer: int, grid: int,
               wish_id: int, claim_id: int, ended: datetime) -> None:
        r = self.rng.random()
        state = "confirmed" if r < 0.9 else "pending" if r < 0.95 else "rejected"
        rows["service_log"].append((
            self.next_id("service_log"), volunteer, grid, wish_id, claim_id,
            (ended + LOCAL).date(), self.rng.choice((30, 60, 90, 120, 180)), "心愿服务", state,
            ended, None, ended + DAY if state != "pending" else None))

    def _pings(self, rows: dict[str, list[tuple[Any, ...]]], wish_id: int, grid: int,
               resident: int, at: datetime) -> None:
        helpers = self.people.volunteers_of.get(grid, [])
        wanted = self.scale.pings_per_wish
        count = int(wanted) + (self.rng.random() < wanted - int(wanted))
        for volunteer in self.rng.sample(helpers, min(count, len(helpers))):
            if volunteer != resident:
                rows["volunteer_ping"].append((self.next_id("volunteer_ping"), volunteer,
                                               wish_id, (at + LOCAL).date(), at))

    # the rest of a district's life -------------------------------------------------------

    def question_and_page_rows(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        rng = self.rng
        questions: list[tuple[Any, ...]] = []
        pages: list[tuple[Any, ...]] = []
        communities = self.places.communities
        for k in range(self.scale.wishes // 30):
            community = communities[k % len(communities)]
            asked = self.moment(self.start, self.now - HOUR)
            worker = self.people.workers[community][0]
            questions.append((k + 1, community, person_id(rng.randrange(
                self.people.residents.start, self.people.residents.stop)), "请问社区几点开门？",
                "早上八点半", worker, asked + HOUR, asked))
            pages.append((len(pages) + 1, community, "question", None, k + 1, "A", worker, None,
                          worker, asked + HOUR, asked))
        for k in range(self.scale.wishes // 30):
            community = communities[k % len(communities)]
            at = self.moment(self.start, self.now - HOUR)
            worker = self.people.workers[community][k % 3]
            pages.append((len(pages) + 1, community, "escalation",
                          rng.randrange(1, self.scale.wishes + 1), None, "A", worker, None,
                          worker, at + 10 * timedelta(minutes=1), at))
        return questions, pages

    def duty_rows(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        shifts: list[tuple[Any, ...]] = []
        marks: list[tuple[Any, ...]] = []
        today = (self.now + LOCAL).date()
        for community in self.places.communities:
            workers = self.people.workers[community]
            for weekday in range(7):
                for post, person in (("A", workers[weekday % 3]),
                                     ("B", workers[(weekday + 1) % 3])):
                    shifts.append((len(shifts) + 1, community, weekday, None, post, person))
            marks.append((len(marks) + 1, community, "duty_morning", today))
        for grid in self.places.grids:
            marks.append((len(marks) + 1, grid, "honour_roll", today.replace(day=1)))
        return shifts, marks

    def meeting_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """A weekly joint meeting in every community for three years, with its topics,
        answers, attendance and action items."""
        rng = self.rng
        rows: dict[str, list[tuple[Any, ...]]] = {
            name: [] for name in ("meeting_series", "meeting", "meeting_topic", "rsvp",
                                  "attendance", "action_item")}
        for k, community in enumerate(self.places.communities):
            host = self.people.cadres[community][0]
            members = [*self.people.workers[community], *self.people.cadres[community]]
            series = k + 1
            rows["meeting_series"].append((
                series, community, "三工联席会议", "weekly", 2, None, "14:30", 90, "社区会议室",
                host, json.dumps(["social_worker", "cadre"]), json.dumps([]), 3, 24, 24, 3,
                False, None, self.start))
            starts = self.start + timedelta(days=(2 - self.start.weekday()) % 7, hours=6.5)
            while starts < self.now + 7 * DAY:
                meeting = self.next_id("meeting")
                past = starts < self.now
                rows["meeting"].append((
                    meeting, series, starts, starts, "scheduled", starts - 3 * DAY,
                    starts - DAY, starts - DAY, starts - 3 * HOUR, starts - 15 * timedelta(
                        minutes=1), None, None, "会议纪要" if past else None,
                    "决议" if past else None, starts + DAY if past else None))
                for t in range(2):
                    rows["meeting_topic"].append((
                        self.next_id("meeting_topic"), meeting, members[t], None, "议题",
                        "accepted", t + 1, None, starts - 2 * DAY))
                for person in members:
                    answer = "attend" if rng.random() < 0.9 else "absent"
                    rows["rsvp"].append((self.next_id("rsvp"), meeting, person, answer,
                                         "有事" if answer == "absent" else None, None,
                                         starts - DAY))
                    if past:
                        rows["attendance"].append((self.next_id("attendance"), meeting, person,
                                                   answer == "attend"))
                if past and rng.random() < 0.7:
                    due = (starts + 7 * DAY + LOCAL).date()
                    rows["action_item"].append((
                        self.next_id("action_item"), meeting, members[rng.randrange(5)], "督办",
                        due, "done", None, None, starts + 5 * DAY, starts))
                starts += 7 * DAY
        return rows

    def update_rows(self) -> Iterator[tuple[Any, ...]]:
        span = 2 * DAY
        for k in range(self.scale.updates_kept):
            yield (FIRST_UPDATE_KEPT + k, self.now - span + span * (k / max(
                self.scale.updates_kept, 1)))

    def fsm_rows(self) -> list[tuple[Any, ...]]:
        rows = []
        for k in range(self.scale.persons // 100):
            person = person_id(self.rng.randrange(self.scale.persons))
            rows.append((f"fsm:7000000001:{person}:{person}:default:{k}", "WishForm:text",
                         json.dumps({"draft_id": f"d{k}"})))
        return rows


# --- writing ------------------------------------------------------------------------------

# The columns the rows above fill, in their order. A column added later by a migration gets
# its default (the model's or the database's) until the fill names it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "place": ("id", "kind", "name", "parent_id", "chat_id", "timezone", "locale", "settings",
              "created_at"),
    "person": ("id", "full_name", "username", "language_code", "locale", "reachable",
               "created_at"),
    "rolegrant": ("id", "person_id", "place_id", "role", "granted_by", "granted_at"),
    "volunteer": ("person_id", "real_name", "phone", "skills", "other_skill", "days", "periods",
                  "status", "reason", "answer", "pings", "public", "applied_at",
                  "consented_at", "decided_at", "decided_by"),
    "volunteer_grid": ("id", "person_id", "grid_id"),
    "wish": ("id", "grid_id", "resident_id", "text", "category", "urgent", "contact_phone",
             "contact_address", "state", "tier", "follow_up", "claimer_id", "reject_reason",
             "source_key", "created_at", "opened_at", "claimed_at", "fulfilled_at", "closed_at",
             "grid_deadline_at", "community_deadline_at", "confirm_deadline_at",
             "claim_remind_at", "claim_release_at", "unconfirmed", "adopted_note"),
    "claim": ("id", "wish_id", "volunteer_id", "claimed_at", "ended_at", "outcome"),
    "wish_post": ("id", "wish_id", "chat_id", "message_id"),
    "rating": ("id", "wish_id", "claim_id", "resident_id", "volunteer_id", "score", "comment",
               "created_at"),
    "service_log": ("id", "person_id", "grid_id", "wish_id", "claim_id", "served_on",
                    "minutes", "description", "state", "logged_at", "decided_by",
                    "decided_at"),
    "volunteer_ping": ("id", "person_id", "wish_id", "day", "sent_at"),
    "audit_log": ("id", "entity", "entity_id", "actor_id", "action", "from_state", "to_state",
                  "detail", "at"),
    "outbox": ("id", "key", "kind", "lane", "chat_id", "text", "markup", "wish_id",
               "meeting_id", "on_undeliverable", "state", "attempts", "not_before",
               "created_at", "sent_at", "message_id", "error"),
    "question": ("id", "community_id", "resident_id", "text", "answer", "answered_by",
                 "answered_at", "created_at"),
    "page": ("id", "community_id", "kind", "wish_id", "question_id", "level", "person_id",
             "next_at", "acknowledged_by", "acknowledged_at", "created_at"),
    "duty_shift": ("id", "community_id", "weekday", "day", "post", "person_id"),
    "daily_mark": ("id", "place_id", "series", "last_day"),
    "meeting_series": ("id", "place_id", "title", "rule", "weekday", "nth", "start_time",
                       "duration_minutes", "location", "host_id", "member_roles",
                       "member_ids", "topic_days", "cutoff_hours", "notice_hours",
                       "reminder_hours", "paused", "ended_at", "created_at"),
    "meeting": ("id", "series_id", "planned_at", "starts_at", "state", "called_at",
                "agenda_confirmed_at", "noticed_at", "reminded_at", "start_reminded_at",
                "notice_chat_id", "notice_message_id", "minutes", "decisions",
                "minutes_sent_at"),
    "meeting_topic": ("id", "meeting_id", "proposer_id", "wish_id", "text", "state",
                      "position", "note", "created_at"),
    "rsvp": ("id", "meeting_id", "person_id", "answer", "reason", "substitute_id",
             "answered_at"),
    "attendance": ("id", "meeting_id", "person_id", "present"),
    "action_item": ("id", "meeting_id", "owner_id", "text", "due_on", "state", "reminded_at",
                    "overdue_at", "done_at", "created_at"),
    "processed_update": ("update_id", "received_at"),
    "fsm_state": ("key", "state", "data"),
}


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def defaults_of(name: str) -> dict[str, Any]:
    """The value of every column of the table the fill does not name: the model's default
    (what the bot would write), else nothing for the database's own default."""
    values: dict[str, Any] = {}
    for column in table(name).columns:
        if column.name in COLUMNS[name]:
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            values[column.name] = default.arg
        elif default is not None and getattr(default, "is_callable", False):
            values[column.name] = default.arg(None)
        elif column.server_default is None and not column.nullable:
            raise SystemExit(f"the district fill does not know {name}.{column.name}: name it "
                             "in bench/district_data.py")
    return values


class SqliteSink:
    """Rows into a SQLite file with the module's executemany, as SQLAlchemy would store
    them: times as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, booleans as 0 and 1."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-400000",
                       "temp_store=MEMORY"):
            self.connection.execute(f"PRAGMA {pragma}")
        # Indexes are made once the rows are in: sorting them once is quicker than keeping
        # them in order row by row. (Those of UNIQUE constraints stay.)
        self.indexes = self.connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in self.indexes:
            self.connection.execute(f'DROP INDEX "{name}"')

    @staticmethod
    def _converters(columns: Sequence[str], name: str) -> list[Any]:
        def convert(column_type: Any) -> Any:
            if isinstance(column_type, UTCDateTime):
                return lambda v: None if v is None else v.isoformat(" ", "microseconds")
            if isinstance(column_type, Date):
                return lambda v: None if v is None else v.isoformat()
            if isinstance(column_type, Boolean):
                return lambda v: None if v is None else int(v)
            return None

        return [convert(table(name).columns[column].type) for column in columns]

    async def write(self, name: str, rows: Sequence[tuple[Any, ...]] | Iterator[
            tuple[Any, ...]]) -> None:
        extra = defaults_of(name)
        columns = [*COLUMNS[name], *extra]
        converters = self._converters(columns, name)
        converting = [(i, f) for i, f in enumerate(converters) if f is not None]
        added = tuple(extra.values())
        sql = (f'INSERT INTO "{name}" ({", ".join(columns)}) '
               f'VALUES ({", ".join("?" * len(columns))})')

        def stored(row: tuple[Any, ...]) -> tuple[Any, ...]:
            values = [*row, *added]
            for i, f in converting:
                values[i] = f(values[i])
            return tuple(values)

        self.connection.execute("BEGIN")
        self.connection.executemany(sql, (stored(row) for row in rows))
        self.connection.execute("COMMIT")

    async def finish(self) -> None:
        for _name, sql in self.indexes:
            self.connection.execute(sql)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.close()


class PostgresSink:
    """Rows into PostgreSQL with COPY; foreign keys are not checked while loading (the rows
    are made consistent), then sequences are moved past the ids used and the tables
    vacuumed and analysed."""

    def __init__(self, connection: Any, indexes: list[tuple[str, str]]) -> None:
        self.connection = connection
        self.indexes = indexes

    @classmethod
    async def open(cls, dsn: str) -> PostgresSink:
        """Indexes other than those of constraints are made once the rows are in."""
        import asyncpg

        connection = await asyncpg.connect(dsn)
        await connection.execute("SET session_replication_role = replica")
        await connection.execute("SET maintenance_work_mem = '256MB'")
        indexes = [(row["indexname"], row["indexdef"]) for row in await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)")]
        for name, _definition in indexes:
            await connection.execute(f'DROP INDEX "{name}"')
        return cls(connection, indexes)

    async def write(self, name: str, rows: Sequence[tuple[Any, ...]] | Iterator[
            tuple[Any, ...]]) -> None:
        extra = defaults_of(name)
        columns = [*COLUMNS[name], *extra]
        added = tuple(extra.values())
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append((*row, *added) if added else row)
            if len(batch) >= 50_000:
                await self.connection.copy_records_to_table(name, records=batch,
                                                            columns=columns)
                batch = []
        if batch:
            await self.connection.copy_records_to_table(name, records=batch, columns=columns)

    async def finish(self) -> None:
        for _name, definition in self.indexes:
            await self.connection.execute(definition)
        for name, t in SQLModel.metadata.tables.items():
            if "id" in t.columns:  # a table without a sequence of its own is passed over
                await self.connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f"coalesce((SELECT max(id) FROM \"{name}\"), 0) + 1, false)")
        await self.connection.execute("SET session_replication_role = origin")
        await self.connection.execute("VACUUM ANALYZE")
        await self.connection.close()


async def fill(sink: SqliteSink | PostgresSink, scale: Scale, now: datetime,
               say: Any = print) -> dict[str, int]:
    """Every table of ``scale``; how many rows each got."""
    filler = Filler(scale, now)
    counts: dict[str, int] = {}
    started = time.perf_counter()

    async def write(name: str, rows: Sequence[tuple[Any, ...]] | Iterator[tuple[Any, ...]]
                    ) -> None:
        rows = list(rows)
        await sink.write(name, rows)
        counts[name] = counts.get(name, 0) + len(rows)

    await write("place", filler.place_rows())
    await write("person", filler.person_rows())
    roles, staff = filler.staff_and_roles()
    volunteers, served, volunteer_roles = filler.volunteer_rows(staff)
    filler.people.residents = range(staff + scale.volunteers // 2, scale.persons)
    await write("rolegrant", roles + volunteer_roles)
    await write("volunteer", volunteers)
    await write("volunteer_grid", served)
    for chunk in filler.wish_chunks():
        for name in ("wish", "claim", "wish_post", "rating", "service_log", "volunteer_ping",
                     "audit_log", "outbox"):
            await write(name, chunk[name])
        if counts["wish"] % 200_000 == 0:
            say(f"  {counts['wish']:,} wishes ({time.perf_counter() - started:.0f} s)")
    questions, pages = filler.question_and_page_rows()
    await write("question", questions)
    await write("page", pages)
    shifts, marks = filler.duty_rows()
    await write("duty_shift", shifts)
    await write("daily_mark", marks)
    for name, rows in filler.meeting_rows().items():
        await write(name, rows)
    await write("processed_update", filler.update_rows())
    await write("fsm_state", filler.fsm_rows())
    await sink.finish()
    return counts


# --- the cache ----------------------------------------------------------------------------

def cache_folder() -> Path:
    return Path(tempfile.gettempdir()) / "gridlink-district"


def cache_name(scale: Scale) -> str:
    """What a kept database is called: its scale, the fill's version and the schema's
    revision (a new migration makes a new one)."""
    from storage.migrations import HEAD

    return f"{cache_prefix(scale)}{FILL_VERSION}_{HEAD}"


def cache_prefix(scale: Scale) -> str:
    return f"gridlink_{scale.label}_v"


async def cached(kind: str, scale: Scale, say: Any = print) -> str:
    """The kept database of ``scale`` (filled now if there is none, and any other kept one of
    that scale removed): a SQLite file under the system's temporary folder, or a PostgreSQL
    database on the bench's server, both named after ``cache_name``. Runs use copies of it
    (``copy_of``)."""
    name = cache_name(scale)
    if kind == "sqlite":
        folder = cache_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.db"
        if not path.exists():
            for older in folder.glob(f"{cache_prefix(scale)}*"):
                older.unlink()
            partial = folder / f"{name}.filling"
            say(f"filling the {scale.label} database once, kept at {path}")
            await _filled(f"sqlite+aiosqlite:///{partial}", scale, say)
            partial.rename(path)
        return f"sqlite+aiosqlite:///{path}"
    import asyncpg

    server = make_url(postgres_server_url())
    connection = await asyncpg.connect(server.set(drivername="postgresql")
                                       .render_as_string(hide_password=False))
    try:
        kept = await connection.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1",
                                      f"{cache_prefix(scale)}%")
        if name not in {row["datname"] for row in kept}:
            for row in kept:
                await connection.execute(f'DROP DATABASE "{row["datname"]}" WITH (FORCE)')
            partial = f"{name}_filling"
            await connection.execute(f'CREATE DATABASE "{partial}"')
            say(f"filling the {scale.label} database once, kept as {name} on {server.host}:"
                f"{server.port}")
            await _filled(server.set(database=partial).render_as_string(hide_password=False),
                          scale, say)
            await connection.execute(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    finally:
        await connection.close()
    return server.set(database=name).render_as_string(hide_password=False)


async def _filled(url: str, scale: Scale, say: Any) -> None:
    from storage.migrate import migrate

    started = time.perf_counter()
    await migrate(url)
    if url.startswith("sqlite"):
        sink: SqliteSink | PostgresSink = SqliteSink(make_url(url).database or "")
    else:
        sink = await PostgresSink.open(make_url(url).set(drivername="postgresql")
                                       .render_as_string(hide_password=False))
    counts = await fill(sink, scale, datetime.now(UTC), say)
    say(f"  filled in {time.perf_counter() - started:.0f} s: {_counted(counts)}")


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in sorted(counts.items(), key=lambda x: -x[1]))


async def copy_of(kind: str, kept_url: str, label: str) -> str:
    """A copy of a kept database for one run, to be dropped with ``drop``."""
    if kind == "sqlite":
        source = Path(make_url(kept_url).database or "")
        folder = Path(tempfile.mkdtemp(prefix=f"gridlink-bench-{label}-"))
        shutil.copyfile(source, folder / "gridlink.db")
        return f"sqlite+aiosqlite:///{folder / 'gridlink.db'}"
    import asyncpg

    kept = make_url(kept_url)
    name = f"{kept.database}_run_{label}_{os.getpid()}"
    server = make_url(postgres_server_url())
    connection = await asyncpg.connect(server.set(drivername="postgresql")
                                       .render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{kept.database}"')
    finally:
        await connection.close()
    return kept.set(database=name).render_as_string(hide_password=False)


async def drop(kind: str, url: str) -> None:
    if kind == "sqlite":
        shutil.rmtree(Path(make_url(url).database or "").parent, ignore_errors=True)
        return
    import asyncpg

    server = make_url(postgres_server_url())
    connection = await asyncpg.connect(server.set(drivername="postgresql")
                                       .render_as_string(hide_password=False))
    try:
        await connection.execute(
            f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await connection.close()
