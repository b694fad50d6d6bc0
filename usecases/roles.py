"""Giving and taking back roles at a place."""

from __future__ import annotations

from datetime import datetime

from storage import people, volunteers
from storage.db import Database
from storage.models import Person, Place, Role
from storage.people import GrantResult


async def change_role(db: Database, *, person: Person, place: Place, role: Role, by: int,
                      now: datetime, granting: bool) -> GrantResult:
    """Grant or revoke in one transaction. Granting the volunteer role enlists the person as
    an approved application would (one notion of volunteer, see ``usecases.authority``)."""
    async with db.transaction() as session:
        change = people.grant if granting else people.revoke
        result = await change(db, person_id=person.id, place_id=place.id or 0, role=role,
                              by=by, now=now)
        if granting and role == Role.VOLUNTEER:
            await volunteers.enlist(session, person, place, by=by, now=now)
        return result
