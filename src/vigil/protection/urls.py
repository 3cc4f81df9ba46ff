from django.urls import path  # noqa: F401

app_name = "protection"
urlpatterns = []

# What each route needs (a capability, or None for any logged-in user). tests/test_access.py requires every route
# to be listed here; victim protection and permit actions, IND only (tests/test_protection.py walks them as every role).
ROUTE_NEEDS: dict[str, str | None] = {}
