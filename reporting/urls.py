from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.report_card, name="card"),
    path("recompute/", views.recompute, name="recompute"),
    path("export/<str:fmt>/", views.export, name="export"),
    path("narrative/", views.narrative, name="narrative"),
    path("agenda/", views.agenda, name="agenda"),
    path("targets/", views.targets, name="targets"),
    path("targets/<slug:code>/", views.target, name="target"),
    path("pdf/", views.request_pdf, name="request_pdf"),
    path("builds/<int:pk>/", views.build_status, name="build"),
    path("builds/<int:pk>/pdf/", views.build_pdf, name="build_pdf"),
    path("reports/", views.reports, name="reports"),
    path("publish/", views.publish, name="publish"),
    path("revision/", views.revision, name="revision"),
    path("published/<int:pk>/", views.published_card, name="published_card"),
    path(
        "published/<int:pk>/export/<str:fmt>/",
        views.published_export,
        name="published_export",
    ),
]
