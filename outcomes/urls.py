from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("<int:pk>/goals/new/", views.add_goal, name="add_goal"),
    path("<int:pk>/readings/new/", views.add_reading, name="add_reading"),
]
