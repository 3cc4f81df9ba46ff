from django.urls import path

from vigil.ads import views

app_name = "ads"
urlpatterns = [
    path("", views.ad_search, name="search"),
    path("<int:pk>/", views.ad_detail, name="ad"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    path("phones/<str:e164>/", views.phone_detail, name="phone"),
    path("networks/", views.network_list, name="networks"),
    path("networks/<int:pk>/", views.network_detail, name="network"),
    path("alerts/", views.alert_list, name="alerts"),
]
