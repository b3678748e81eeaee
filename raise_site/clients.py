"""The address a request comes from, for rate limits and login throttling.

Behind a proxy every request arrives from the proxy, which appends the address it saw to
X-Forwarded-For; a client can send that header itself with anything in it. So the site
believes forwarding headers only from the proxies listed in TRUSTED_PROXIES (addresses or
networks), and then takes as the client the first address in X-Forwarded-For, read from
the right, that is not one of those proxies. A request from anywhere else has its
forwarding headers removed (TrustedProxyMiddleware), so neither its address nor
X-Forwarded-Proto (HTTPS) can be forged.

django-ipware does not fit this rule: it reads about thirty headers by default (any client
can send CF-Connecting-IP or X-Real-IP), looks for the first public address rather than
the first untrusted one, and matches proxies by their position in the chain, not by
whether the connection itself came from one. Python's ipaddress module does the rest.
"""

import functools
import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Headers a proxy sets about the client; believed only when the request comes from one.
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
    "HTTP_X_REAL_IP",
)
# One household, office or phone gets a whole IPv6 /64 and can use any address in it.
IPV6_CLIENT_PREFIX = 64


@functools.cache
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def trusted_networks():
    return _networks(tuple(settings.TRUSTED_PROXIES))


def parse_address(value: str) -> Address | None:
    """An IP address from a header or REMOTE_ADDR, with a port or brackets allowed."""
    value = value.strip()
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    return address.ipv4_mapped or address if address.version == 6 else address


def is_trusted_proxy(address: Address | None) -> bool:
    return address is not None and any(address in network for network in trusted_networks())


def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or behind trusted proxies the first address in
    X-Forwarded-For, from the right, that is not one of them."""
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    client = remote
    if is_trusted_proxy(remote):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = parse_address(hop)
            if address is None:
                # Trusted proxies write addresses; anything else came from the client, so
                # the last proxy's view of it is all there is to go on.
                break
            client = address
            if not is_trusted_proxy(address):
                break
    return str(client)


def client_network(request) -> str:
    """The client as rate limits count it: an IPv4 address, or the /64 network of an IPv6
    address (written as its first address, e.g. "2001:db8:1:2::")."""
    address = parse_address(client_address(request))
    if address is None:
        return ""
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False)[0])
    return str(address)


class TrustedProxyMiddleware:
    """Remove forwarding headers from requests that do not come from a trusted proxy, before
    anything (the HTTPS check, the client address) reads them. First in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(parse_address(request.META.get("REMOTE_ADDR", ""))):
            for header in FORWARDING_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
