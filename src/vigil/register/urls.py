from django.urls import path

from vigil.register import views

app_name = "register"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.signal_detail, name="signal"),
    path("<int:pk>/share/", views.share, name="share"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("search/", views.search, name="search"),
]
