from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("", views.due_list, name="due"),
    path("mine/", views.my_due_list, name="mine"),
]
