from django.urls import path

from . import views

app_name = "families"
urlpatterns = [
    path("families/<int:pk>/consent/", views.consent, name="consent"),
]
