from django.urls import path

from vigil.cases import referral_views as views

app_name = "referrals"
urlpatterns = [
    # receiving side: the organisation referred to
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.referral, name="referral"),
    path("<int:pk>/dossier.pdf", views.received_file, {"which": "pdf"}, name="pdf"),
    path("<int:pk>/dossier.ftm.json", views.received_file, {"which": "ftm"}, name="ftm"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/report/", views.report, name="report"),
    # sending side: members of the case
    path("cases/<int:pk>/new/", views.new, name="new"),
    path("sent/<int:pk>/", views.sent, name="sent"),
    path("sent/<int:pk>/dossier.pdf", views.sent_file, {"which": "pdf"}, name="sent_pdf"),
    path("sent/<int:pk>/dossier.ftm.json", views.sent_file, {"which": "ftm"}, name="sent_ftm"),
]

# What each route needs (a capability, or None for any logged-in user). tests/test_access.py requires every route
# to be listed here; referrals, sending and receiving side (tests/test_referrals.py walks them as every role).
ROUTE_NEEDS: dict[str, str | None] = {
    **{name: "receive_referrals" for name in ("inbox", "referral", "pdf", "ftm", "decide", "report")},
    "new": "refer",
    **{name: "cases" for name in ("sent", "sent_pdf", "sent_ftm")},
}
