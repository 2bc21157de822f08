from django.urls import path

from . import views

app_name = "families"
urlpatterns = [
    path("families/<int:pk>/consent/", views.consent, name="consent"),
    path("subject-access/", views.subject_access, name="subject_access"),
    path(
        "subject-access/<int:person_pk>/export/",
        views.subject_access_export,
        name="subject_access_export",
    ),
    path("retention/", views.retention, name="retention"),
    path("retention/<int:pk>/anonymise/", views.anonymise, name="anonymise"),
]
