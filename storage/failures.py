"""Updates whose handling failed, kept with the user's words for the team to look at."""

from datetime import datetime

from storage.db import Database
from storage.models import FailedUpdate


async def keep(db: Database, *, update_id: int, chat_id: int | None, person_id: int | None,
               text: str | None, payload: str, error: str, now: datetime) -> None:
    async with db.transaction() as session:
        session.add(FailedUpdate(update_id=update_id, chat_id=chat_id, person_id=person_id,
                                 text=text, payload=payload, error=error[:2000],
                                 created_at=now))
