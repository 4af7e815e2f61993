from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from tanhua.accounts.views import LoginView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("tanhua.accounts.urls")),
    path("registry/", include("tanhua.registry.urls")),
    path("audit/", include("tanhua.audit.urls")),
    path("clues/", include("tanhua.clues.urls")),
    path("talks/", include("tanhua.talks.urls")),
    path("public/", include("tanhua.talks.public_urls")),
    path("rectification/", include("tanhua.rectification.urls")),
    path("api/v1/", include("tanhua.api.urls")),
]

handler403 = views.permission_denied
