from django.urls import path

from . import case_views as views

# The case pages: in the web shell, as they show a case with its goals, readings and
# reviews (apps above cases); their URL names stay "cases:".
app_name = "cases"
urlpatterns = [
    path("", views.team_cases, name="list"),
    path("mine/", views.my_cases, name="mine"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/assessment/start/", views.start_assessment, name="start_assessment"),
    path("<int:pk>/assessment/", views.edit_assessment, name="assessment"),
    path("<int:pk>/decision/", views.decide_proceed, name="decide"),
    path("<int:pk>/contacts/new/", views.add_contact, name="add_contact"),
    path("<int:pk>/plan/new/", views.add_plan, name="add_plan"),
    path("plans/<int:plan_pk>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("<int:pk>/end-phase1/", views.end_phase1, name="end_phase1"),
    path("<int:pk>/end-phase1/sign-off/", views.phase1_signoff, name="phase1_signoff"),
    path("<int:pk>/step-down/finish/", views.finish_step_down, name="finish_step_down"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/closure/override/", views.override, name="override"),
    path("<int:pk>/restrict/", views.restrict, name="restrict"),
    path("<int:pk>/corrections/", views.corrections, name="corrections"),
    path("contacts/<int:contact_pk>/correct/", views.correct_contact, name="correct_contact"),
    path("contacts/<int:contact_pk>/withdraw/", views.withdraw_contact, name="withdraw_contact"),
]
