"""CSV downloads that spreadsheet programs open safely.

Excel, LibreOffice and Google Sheets run a cell that starts with =, +, - or @ (or a tab or
carriage return before one) as a formula, which can fetch addresses or run commands
("CSV injection"). Visitors write feedback and editors write titles, so every cell of
every export goes through `safe_cell`, which puts an apostrophe before such a start: the
spreadsheet then shows the text as written.
"""

import csv

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file for csv.writer that hands each line back instead of keeping it."""

    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """A CSV attachment of `header` and `rows` (iterables of values), every cell made safe.

    Streamed line by line, so an export of a million rows takes no more memory than one of a
    thousand when `rows` is itself lazy (e.g. a queryset's `iterator()`).
    """
    writer = csv.writer(_Echo())

    def lines():
        # A byte-order mark makes spreadsheet programs read the file as UTF-8 (å, ä, ö).
        yield "\ufeff" + writer.writerow([safe_cell(cell) for cell in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
