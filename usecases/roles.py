"""Giving and taking back roles at a place."""

from __future__ import annotations

from datetime import datetime

from storage import people, volunteers
from storage.db import Database
from storage.models import Person, Place, Role
from storage.people import Actor, GrantResult
from usecases.authority import Act, may_in


async def change_role(db: Database, actor: Actor, *, person: Person, place: Place, role: Role,
                      now: datetime, granting: bool) -> GrantResult:
    """Grant or revoke in one transaction, by an admin of the place. Granting the volunteer
    role enlists the person as an approved application would (one notion of volunteer, see
    ``usecases.authority``)."""
    async with db.transaction() as session:
        if not await may_in(session, actor, Act.ADMINISTER, place.id or 0):
            return GrantResult.NOT_ALLOWED
        change = people.grant if granting else people.revoke
        result = await change(db, person_id=person.id, place_id=place.id or 0, role=role,
                              by=actor.id, now=now)
        if granting and role == Role.VOLUNTEER:
            await volunteers.enlist(session, person, place, by=actor.id, now=now)
        return result
