from django.urls import path

from vigil.linking import views

app_name = "linking"
urlpatterns = [
    path("entities/<int:pk>/", views.entity_detail, name="entity"),
    path("entities/<int:pk>/neighbours.json", views.neighbours_json, name="neighbours"),
    path("networks/<int:pk>/", views.network_view, name="network"),
    path("signals/<int:pk>/", views.signal_network, name="signal"),
    path("entities/<int:pk>/watch/", views.watch, name="watch"),
    path("alerts/", views.alerts, name="alerts"),
    path("judge/", views.judge, name="judge"),  # two person rows or two company rows
]
