from django.urls import path

from . import views

app_name = "compass"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("<slug:edition>/", views.matrix, name="matrix_edition"),
    path("<slug:edition>/enablers/<slug:slug>/", views.enabler_detail, name="enabler"),
    path("<slug:edition>/levels/<slug:slug>/", views.level_detail, name="level"),
    path(
        "<slug:edition>/levels/<slug:level_slug>/<slug:enabler_slug>/",
        views.cell_detail,
        name="cell",
    ),
]
