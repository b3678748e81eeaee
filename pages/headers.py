"""The Content-Security-Policy header, the same bytes from every process."""

from csp.constants import HEADER
from csp.middleware import CSPMiddleware


class StableCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy's directives in a fixed order.

    django-csp 4.0 collects the directives in a set, so their order depends on each Python
    process's hash seed and every gunicorn worker would send a different header.
    """

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if HEADER in response:
            response[HEADER] = "; ".join(sorted(response[HEADER].split("; ")))
        return response
