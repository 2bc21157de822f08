from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.<str:kind>", views.template, name="template"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
]
