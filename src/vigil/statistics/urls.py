from django.urls import path

from vigil.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export_csv, name="csv"),
]

# What each route needs (a capability, or None for any logged-in user). tests/test_access.py requires every route
# to be listed here; statistics, no personal data (tests/test_statistics.py walks them as every role).
ROUTE_NEEDS: dict[str, str | None] = {"dashboard": "statistics", "csv": "statistics"}
