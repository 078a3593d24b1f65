from django.contrib import admin
from django.urls import include, path

from assessments.accounts import views as accounts
from assessments.answering.views import leader
from devtools import views as devtools_views

from . import oidc, views

urlpatterns = [
    path("", leader.home, name="home"),
    path(
        "accounts/password_reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/login/", oidc.SignInView.as_view(), name="login"),
    path("accounts/logout/", oidc.SignOutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("oidc/authenticate/", oidc.AuthenticateView.as_view(), name="oidc_authenticate"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_callback"),
    path("compass/", include("compass.urls")),
    path("", include("assessments.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.set_language, name="set_language"),
    path("loadrun/bare", devtools_views.loadrun_bare, name="loadrun_bare"),
]
