from django.urls import path

from vigil.protection import views

app_name = "protection"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("records/", views.records, name="records"),
    path("records/new/", views.new, name="new"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/update/", views.update, name="update"),
    path("reminders/<int:pk>/done/", views.dismiss, name="dismiss"),
    path("flags/", views.flags, name="flags"),
    path("flags/new/", views.flag_new, name="flag_new"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
    path("flags/<int:pk>/step/", views.flag_step, name="flag_step"),
]

# What each route needs (a capability, or None for any logged-in user). tests/test_access.py requires every route
# to be listed here; victim protection and permit actions, IND only (tests/test_protection.py walks them as every role).
ROUTE_NEEDS: dict[str, str | None] = {
    **{name: "protection" for name in ("dashboard", "records", "new", "record", "update", "dismiss")},
    **{name: "permits" for name in ("flags", "flag_new", "flag", "flag_step")},
}
# The routes that only take a POST (the matrix test posts to them).
POSTS = {"update", "dismiss", "flag_step"}
