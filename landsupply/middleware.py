"""Project middleware."""

import time

from django.conf import settings

SESSION_TOUCHED = "_touched"  # session key: when the session's expiry was last moved on (epoch s)


class SessionIdleMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds without activity; activity moves the end on.

    Django's SESSION_SAVE_EVERY_REQUEST would do that with an UPDATE of the session row (and a
    commit) on every request, GETs included. This moves it on at most once every
    SESSION_REFRESH_SECONDS (default 300): a request finding the session touched longer ago than
    that marks it modified, and SessionMiddleware saves it with a new expiry. A session
    therefore ends between SESSION_COOKIE_AGE − SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE
    after the last request. Placed after SessionMiddleware (its response phase runs first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty():
            return response
        now = int(time.time())
        if now - session.get(SESSION_TOUCHED, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[SESSION_TOUCHED] = now
        return response


def session_touched_at_login(sender, request, user, **kwargs):
    """user_logged_in receiver: a login saves the session with a fresh end, so it counts as
    touched now (the first request after a login does not save the session again)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_TOUCHED] = int(time.time())
