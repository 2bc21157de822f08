from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import language, twofactor_views

urlpatterns = [
    path(
        "accounts/login/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/two-factor/", twofactor_views.manage, name="two_factor_manage"),
    path("accounts/two-factor/setup/", twofactor_views.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", twofactor_views.verify, name="two_factor_verify"),
    path("accounts/two-factor/codes/", twofactor_views.new_codes, name="two_factor_codes"),
    path("accounts/two-factor/disable/", twofactor_views.disable, name="two_factor_disable"),
    path("accounts/keepalive/", twofactor_views.keepalive, name="keepalive"),
    path("accounts/autosave/", twofactor_views.autosave, name="autosave"),
    path("language/", language.set_language, name="set_language"),
    path("jsi18n/", language.javascript_catalog, name="javascript_catalog"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
