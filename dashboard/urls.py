from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("bench/floor/", views.bench_floor, name="bench_floor"),
]
