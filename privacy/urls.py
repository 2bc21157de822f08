from django.urls import path

from . import views

# Subject access and the retention review, under /privacy/ with the family's consent page.
app_name = "privacy"
urlpatterns = [
    path("subject-access/", views.subject_access, name="subject_access"),
    path(
        "subject-access/<int:person_pk>/export/",
        views.subject_access_export,
        name="subject_access_export",
    ),
    path("retention/", views.retention, name="retention"),
    path("retention/<int:pk>/anonymise/", views.anonymise, name="anonymise"),
]
