from django.urls import path

from vigil.public import staff_views
from vigil.register import views

app_name = "register"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.signal_detail, name="signal"),
    path("<int:pk>/share/", views.share, name="share"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("search/", views.search, name="search"),
    path("<int:pk>/ask/", staff_views.ask, name="ask"),
    path("<int:pk>/spam/", staff_views.spam, name="spam"),
    path("<int:pk>/attachments/<int:attachment_id>/", staff_views.attachment, name="attachment"),
]
