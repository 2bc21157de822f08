from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("<int:pk>/goals/new/", views.add_goal, name="add_goal"),
    path("<int:pk>/readings/new/", views.add_reading, name="add_reading"),
    path("<int:pk>/services/", views.service_uses, name="services"),
    path("goals/<int:goal_pk>/correct/", views.correct_goal, name="correct_goal"),
    path("goals/<int:goal_pk>/withdraw/", views.withdraw_goal, name="withdraw_goal"),
    path("readings/<int:reading_pk>/correct/", views.correct_reading, name="correct_reading"),
    path("readings/<int:reading_pk>/withdraw/", views.withdraw_reading, name="withdraw_reading"),
    path(
        "<int:pk>/services/<int:person_pk>/<slug:occasion>/",
        views.record_service_use,
        name="record_services",
    ),
]
