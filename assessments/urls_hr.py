"""HR admins' pages: cycles, imports, monitoring, transitions, exports."""

from django.urls import path

from .views import hr

app_name = "hr"

urlpatterns = [
    path("", hr.dashboard, name="dashboard"),
]
