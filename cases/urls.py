from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.team_cases, name="list"),
    path("mine/", views.my_cases, name="mine"),
    path("<int:pk>/", views.case_detail, name="detail"),
]
