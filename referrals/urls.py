from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_form, name="new"),
    path("drafts/", views.draft_list, name="drafts"),
    path("drafts/<int:draft_id>/", views.referral_form, name="draft"),
    path("drafts/<int:draft_id>/delete/", views.draft_delete, name="draft_delete"),
    path("screening/", views.screening_queue, name="screening"),
    path("waiting-list/", views.waiting_list, name="waiting_list"),
    path("waiting-list/<int:pk>/", views.waiting_edit, name="waiting_edit"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/first-contact/", views.first_contact, name="first_contact"),
    path("<int:pk>/allocate/", views.allocate, name="allocate"),
    path("<int:pk>/link-family/", views.link_family, name="link_family"),
    path("<int:pk>/apply-update/", views.apply_update, name="apply_update"),
    path("decisions/<int:decision_pk>/correct/", views.correct_decision, name="correct_decision"),
    path(
        "decisions/<int:decision_pk>/withdraw/", views.withdraw_decision, name="withdraw_decision"
    ),
]
