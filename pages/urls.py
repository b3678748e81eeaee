from django.urls import path, re_path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.page_detail, {"path": ""}, name="home"),
    re_path(r"^(?P<path>.+/)$", views.page_detail, name="detail"),
]
