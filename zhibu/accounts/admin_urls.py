"""The platform administrators' pages (三员分立), mounted at /admin/ as ``accounts:``.

Kept apart from ``zhibu.accounts.urls`` so the sign-in URL names (``login``, ``logout``,
``password_change``) stay un-namespaced.
"""

from django.urls import path

from zhibu.accounts import views

app_name = "accounts"

urlpatterns = [
    # 系统管理员
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:public_id>/", views.user_detail, name="user_detail"),
    path("users/<uuid:public_id>/active/", views.user_set_active, name="user_set_active"),
    path("users/<uuid:public_id>/password/", views.user_password, name="user_password"),
    # users/<id>/roles/new/ (role_grant): zhibu.committees.grants, mounted here by zhibu/urls.py
    path("roles/<uuid:public_id>/end/", views.role_end, name="role_end"),
    # 安全管理员
    path("security/lockouts/", views.lockouts, name="lockouts"),
    path("security/unlock/", views.unlock, name="unlock"),
    # 审计管理员
    path("audit/", views.audit, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
]
