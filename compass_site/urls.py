from django.contrib import admin
from django.urls import include, path

from assessments.views import accounts, leader

from . import views

urlpatterns = [
    path("", leader.home, name="home"),
    path(
        "accounts/password_reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("compass/", include("compass.urls")),
    path("me/", include("assessments.urls")),
    path("hr/", include("assessments.urls_hr")),
    path("reports/", include("assessments.urls_reports")),
    path("plans/", include("assessments.urls_plans")),
    path("r/", include("assessments.urls_rater")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]
