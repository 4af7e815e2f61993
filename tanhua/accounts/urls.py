from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("security/", views.my_security, name="security"),
    path("password/", views.password, name="password"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/remove/", views.otp_remove, name="otp_remove"),
    path("users/", views.users, name="users"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/otp-reset/", views.user_otp_reset, name="user_otp_reset"),
    path("roles/", views.roles, name="roles"),
    path("roles/add/", views.role_add, name="role_add"),
    path("roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("roles/<int:pk>/delete/", views.role_delete, name="role_delete"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/lift/", views.lockout_lift, name="lockout_lift"),
    path("logins/", views.logins, name="logins"),
]
