from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from vigil.api.main import api
from vigil.audit.views import audit_log
from vigil.core.views import home
from vigil.intake.views import intake

urlpatterns = [
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signals/", include("vigil.register.urls")),
    path("intake/", intake, name="intake"),
    path("assessment/", include("vigil.assessment.urls")),
    path("ads/", include("vigil.ads.urls")),
    path("links/", include("vigil.linking.urls")),
    path("cases/", include("vigil.cases.urls")),
    path("referrals/", include("vigil.cases.referral_urls")),
    path("protection/", include("vigil.protection.urls")),
    path("statistics/", include("vigil.statistics.urls")),
    path("api/", api.urls),
    path("audit/", audit_log, name="audit"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(path("", include("vigil.public.urls")), prefix_default_language=True)
