"""The address a request comes from, for rate limits and login throttling."""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The client's IP address.

    Behind the TLS proxy (BEHIND_TLS_PROXY) every request comes from the proxy, which appends
    the address it saw to X-Forwarded-For; only that last entry is trusted, since a client
    can send any earlier ones itself.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR", "")
