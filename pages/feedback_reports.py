"""What editors see of visitor feedback: a CSV export and a per-page summary with a chart."""

import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from raise_site.csvexport import csv_response

from .models import DEFAULT_LANGUAGE

CHART_WEEKS = 12
BAR_WIDTH = 22
CHART_HEIGHT = 80


CSV_COLUMNS = ["time", "page", "address", "language", "answer", "comment", "personal data removed"]


def feedback_csv(queryset):
    """The answers as a CSV file, streamed row by row: a million answers take no more memory
    than a thousand, since only the columns written are read, in chunks."""
    rows = queryset.order_by("-created_at", "-pk").values_list(
        "created_at",
        "page__title_sv",
        "page__path_sv",
        "language",
        "helpful",
        "comment",
        "personal_data_removed",
    )
    home = reverse_home()
    return csv_response(
        "feedback.csv",
        CSV_COLUMNS,
        (
            [
                timezone.localtime(created_at).isoformat(timespec="seconds"),
                title,
                home + path,
                language,
                "yes" if helpful else "no",
                comment,
                "yes" if scrubbed else "no",
            ]
            for created_at, title, path, language, helpful, comment, scrubbed in rows.iterator(
                chunk_size=2000
            )
        ),
    )


def reverse_home():
    """The Swedish home page's address, which every page's stored path follows."""
    with translation.override(DEFAULT_LANGUAGE):
        return reverse("pages:home")


def feedback_summary(page):
    """The number of answers, the share of “Ja” and an SVG chart of the last weeks' answers."""
    totals = page.feedback.aggregate(total=Count("pk"), yes=Count("pk", filter=Q(helpful=True)))
    this_week = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    first_week = this_week - datetime.timedelta(weeks=CHART_WEEKS - 1)
    counts = {
        _week_date(row["week"]): row
        for row in page.feedback.filter(created_at__date__gte=first_week)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
    }
    weeks = [first_week + datetime.timedelta(weeks=i) for i in range(CHART_WEEKS)]
    highest = max([counts[w]["yes"] + counts[w]["no"] for w in counts] or [0]) or 1
    bars = []
    for index, week in enumerate(weeks):
        yes = counts.get(week, {}).get("yes", 0)
        no = counts.get(week, {}).get("no", 0)
        yes_height = round(CHART_HEIGHT * yes / highest)
        no_height = round(CHART_HEIGHT * no / highest)
        bars.append(
            {
                "x": index * BAR_WIDTH,
                "week": week,
                "yes": yes,
                "no": no,
                "yes_y": CHART_HEIGHT - yes_height,
                "yes_height": yes_height,
                "no_y": CHART_HEIGHT - yes_height - no_height,
                "no_height": no_height,
            }
        )
    total = totals["total"]
    return render_to_string(
        "admin/pages/feedback_summary.html",
        {
            "page": page,
            "total": total,
            "yes_share": round(100 * totals["yes"] / total) if total else None,
            "bars": bars,
            "width": CHART_WEEKS * BAR_WIDTH,
            "height": CHART_HEIGHT,
            "bar_width": BAR_WIDTH - 4,
            "weeks": CHART_WEEKS,
            "chart_title": _("Answers per week, the last %(weeks)d weeks") % {"weeks": CHART_WEEKS},
        },
    )


def _week_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value
