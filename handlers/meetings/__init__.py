"""Joint meetings (三工联席会议), one small router per part of the flow:

- ``form``: /meeting_new alone, the form for a new series with buttons
- ``series``: /meeting_new, /meetings, /meeting <number> … (the host changes a series)
- ``agenda``: /topic and the call's button, /agenda <number> …
- ``minutes``: /minutes <number> …, an action item's Done button
- ``members``: Attend / Cannot attend with the reason, naming a substitute
"""

from aiogram import Router

from handlers.meetings import agenda, form, members, minutes, series


def router() -> Router:
    router = Router(name=__name__)
    router.include_routers(form.router(), series.router(), agenda.router(), minutes.router(),
                           members.router())
    return router
