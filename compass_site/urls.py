from django.contrib import admin
from django.urls import include, path

from assessments import views as assessment_views

urlpatterns = [
    path("", assessment_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("compass/", include("compass.urls")),
    path("admin/", admin.site.urls),
]
