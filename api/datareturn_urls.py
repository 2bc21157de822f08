from django.urls import path

from . import datareturn

app_name = "datareturn"
urlpatterns = [
    path("", datareturn.data_return, name="page"),
    path("<str:fmt>/", datareturn.download, name="download"),
]
