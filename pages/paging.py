"""Lists that page: sections' subpages, the project list and other long lists."""

from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404

MAX_PAGE_DIGITS = 6


def page_of(request, items, per_page):
    """The page of `items` that `?page=` asks for, counted and sliced in the database.

    A number that is not a page of this list (0, -1, "abc", far past the end) is a 404: each
    list has exactly one address per page, which the page cache can keep.
    """
    number = request.GET.get("page", "1")
    if not number.isdigit() or len(number) > MAX_PAGE_DIGITS:
        raise Http404
    if number == "1":
        # Most lists fit on one page: one query for the rows, and a count only when more follow.
        first = list(items[: per_page + 1])
        if len(first) <= per_page:
            return Paginator(first, per_page).page(1)
        return Page(first[:per_page], 1, Paginator(items, per_page))
    try:
        return Paginator(items, per_page, allow_empty_first_page=True).page(int(number))
    except InvalidPage as error:
        raise Http404 from error


def page_links(request, page):
    """The addresses of the previous and next pages, keeping the list's other parameters."""

    def link(number):
        params = {k: v for k, v in request.GET.items() if k != "page"}
        if number > 1:
            params["page"] = number
        return f"?{urlencode(params)}" if params else request.path

    return {
        "previous_url": link(page.previous_page_number()) if page.has_previous() else "",
        "next_url": link(page.next_page_number()) if page.has_next() else "",
    }
