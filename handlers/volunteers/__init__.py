"""Volunteers (社工+义工), one small router per part of the flow:

- ``form``: /volunteer and the sign-up form, in a private chat
- ``decisions``: the staff's Approve / Ask for more / Decline, the applicant's answer
- ``standing``: /pause, /resume, /pings, /honour; /volunteers, /suspend, /reinstate
"""

from aiogram import Router

from handlers.volunteers import decisions, form, standing


def router() -> Router:
    router = Router(name=__name__)
    router.include_routers(form.router(), decisions.router(), standing.router())
    return router
