from django.urls import path, re_path

from . import staff_views, views

app_name = "api"
urlpatterns = [
    path("v1/referrals/", views.submit_referral_view, name="submit_referral"),
    path("v1/referrals/<uuid:receipt_key>/", views.referral_receipt_view, name="receipt"),
    path("v1/figures/", views.published_figures_view, name="figures"),
    path("v1/figures/<int:team_id>/<str:quarter>/", views.team_figures_view, name="team_figures"),
    path("v1/reference/", views.reference_lists_view, name="reference"),
    path("v1/schema/", views.schema_view, name="schema"),
    path("v1/docs/", views.docs_view, name="docs"),
    re_path(r"^v1/", views.no_such_route_view, name="no_such_route"),  # last of v1
    # System administrators issue and revoke the clients' tokens here.
    path("clients/", staff_views.client_list, name="clients"),
    path("clients/new/", staff_views.client_new, name="client_new"),
    path("clients/<int:pk>/", staff_views.client_detail, name="client"),
    path("clients/<int:pk>/tokens/", staff_views.token_issue, name="token_issue"),
    path(
        "clients/<int:pk>/tokens/<int:token_id>/revoke/",
        staff_views.token_revoke,
        name="token_revoke",
    ),
]
