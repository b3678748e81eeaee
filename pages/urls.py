from django.urls import path, re_path

from . import calendar, views

app_name = "pages"

urlpatterns = [
    path("", views.page_detail, {"path": ""}, name="home"),
    path("events.ics", calendar.feed, name="calendar_feed"),
    path("events-<int:year>.ics", calendar.feed, name="calendar_year_feed"),
    path("events/<int:pk>.ics", calendar.event_feed, name="event_feed"),
    # Every other address is looked up in the page tree, so it comes last.
    re_path(r"^(?P<path>.+/)$", views.page_detail, name="detail"),
]
