"""The residents' council (居民议事会), one small router per part of the flow:

- ``form``: the private form for a new matter (from a community's link or a wish)
- ``matters``: /matter, /comment, replies to a matter's post, the vote, Close now, To the
  joint meeting
"""

from aiogram import Router

from handlers.council import form, matters


def router() -> Router:
    router = Router(name=__name__)
    router.include_routers(form.router(), matters.router())
    return router
