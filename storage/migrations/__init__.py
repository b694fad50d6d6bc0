"""Alembic migrations.

HEAD names the newest revision, so that a start with the schema already up to date needs no
Alembic at all (it costs memory for the life of the process); a test checks it against the
revisions in versions/.
"""

HEAD = "3d8f20a61c47"
