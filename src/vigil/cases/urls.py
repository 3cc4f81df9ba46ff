from django.urls import path  # noqa: F401

app_name = "cases"
urlpatterns = []

# What each route needs (a capability, or None for any logged-in user). tests/test_access.py requires every route
# to be listed here; cases (tests/test_cases.py walks them as every role).
ROUTE_NEEDS: dict[str, str | None] = {}
