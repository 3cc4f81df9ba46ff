from django.urls import path

from vigil.assessment import views

app_name = "assessment"
urlpatterns = [
    path("catalogue/", views.catalogue_page, name="catalogue"),
    path("signals/<int:pk>/indicator/", views.review_indicator, name="review_indicator"),
    path("signals/<int:pk>/reading/", views.review_reading, name="review_reading"),
]
