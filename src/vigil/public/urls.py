from django.urls import path

from vigil.public import views

app_name = "public"
urlpatterns = [
    path("", views.page, {"name": "index"}, name="index"),
    path("signs/", views.page, {"name": "signs"}, name="signs"),
    path("after/", views.page, {"name": "after"}, name="after"),
    path("how/", views.page, {"name": "report"}, name="how"),
    path("report/", views.report, name="report"),
    path("report/challenge/", views.challenge, name="challenge"),
    path("follow-up/", views.follow_up, name="follow_up"),
]
