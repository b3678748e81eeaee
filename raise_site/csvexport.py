"""CSV downloads that spreadsheet programs open safely.

Excel, LibreOffice and Google Sheets run a cell that starts with =, +, - or @ (or a tab or
carriage return before one) as a formula, which can fetch addresses or run commands
("CSV injection"). Visitors write feedback and editors write titles, so every cell of
every export goes through `safe_cell`, which puts an apostrophe before such a start: the
spreadsheet then shows the text as written.
"""

import csv

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """A CSV attachment of `header` and `rows` (iterables of values), every cell made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte-order mark makes spreadsheet programs read the file as UTF-8 (å, ä, ö).
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
