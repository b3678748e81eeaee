"""Admin login throttling on django-axes, with two limits.

- A user name and a client together: after LOGIN_FAILURE_LIMIT failures in a row that pair
  is locked (django-axes' own lock-out, on the parameters ["username", "ip_address"]). The
  same user name from another client is not, so nobody can lock an editor out from
  elsewhere by guessing their password.
- A client across every user name: after LOGIN_CLIENT_FAILURE_LIMIT failures that client is
  locked, which slows password spraying (one password tried on many names).

A client is an IP address, or an IPv6 /64 (raise_site.clients.client_network). Both locks
end LOGIN_LOCKOUT_MINUTES after the last counted failure; attempts made while locked are not
counted, so the time the lock-out page names holds.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


def _client_attempts(request):
    return AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )


def client_failures(request) -> int:
    return _client_attempts(request).aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginThrottle(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.is_spraying(request)

    def is_spraying(self, request) -> bool:
        return client_failures(request) >= settings.LOGIN_CLIENT_FAILURE_LIMIT

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not request.axes_locked_out and self.is_spraying(request):
            # The failure that reached the client's limit is refused as a lock-out already.
            request.axes_locked_out = True
            request.axes_credentials = credentials


def lockout_response(request, original_response=None, credentials=None):
    """The lock-out page (429): why logging in is paused, and until when."""
    username = get_client_username(request, credentials) or ""
    pair = _client_attempts(request).filter(username=username)
    pair_locked = (
        pair.aggregate(total=Sum("failures_since_start"))["total"] or 0
    ) >= settings.AXES_FAILURE_LIMIT
    attempts = pair if pair_locked else _client_attempts(request)
    last = attempts.aggregate(last=Max("attempt_time"))["last"] or timezone.now()
    context = {
        "failure_limit": (
            settings.AXES_FAILURE_LIMIT if pair_locked else settings.LOGIN_CLIENT_FAILURE_LIMIT
        ),
        "whole_client": not pair_locked,
        "cooloff_timedelta": get_cool_off(request),
        "locked_until": timezone.localtime(last + get_cool_off(request)),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
