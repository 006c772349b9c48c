"""Every URL of the desk. HTML pages live under a language prefix (/en/, /ja/ ...); the API and ops URLs do not."""
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from helpcenter import views as help_views
from livechat import views as chat_views
from tickets import views as ticket_views

from . import apis, views

api_v1 = [
    path("auth/register/", apis.RegisterApi.as_view(), name="api-register"),
    path("auth/token/", apis.TokenApi.as_view(), name="api-token"),
    path("auth/token/current/", apis.CurrentTokenApi.as_view(), name="api-token-current"),
    path("auth/me/", apis.MeApi.as_view(), name="api-me"),
    path("auth/email/confirm/", apis.EmailConfirmApi.as_view(), name="api-email-confirm"),
    path("auth/email/confirmation/", apis.EmailConfirmationApi.as_view(), name="api-email-confirmation"),
    path("notifications/", apis.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read-all/", apis.NotificationReadAllApi.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:notification_id>/read/", apis.NotificationReadApi.as_view(),
         name="api-notification-read"),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/v1/", include("tickets.api_urls")),
    path("api/v1/", include("helpcenter.api_urls")),
    path("api/v1/", include("livechat.api_urls")),
    path("api/v1/", include("desk.api_urls")),
    path("api/v1/", include("chatbot.api_urls")),
    path("api/v1/", include("reports.api_urls")),
    path("api/v1/", include("verification.api_urls")),
    path("api/v1/", include("incidents.api_urls")),
    path("attachments/<uuid:attachment_id>/", ticket_views.attachment_download, name="attachment"),
    path("attachments/<uuid:attachment_id>/thumbnail/", ticket_views.attachment_download, {"thumbnail": True},
         name="attachment-thumbnail"),
    # The picture as sent, where a secret was found and blurred: desk admins only (SCREENSHOT_KEEP_ORIGINALS).
    path("attachments/<uuid:attachment_id>/original/", ticket_views.attachment_original, name="attachment-original"),
    # Help-center pictures: one URL for every language's body, so no language prefix.
    path("help/images/<uuid:image_id>/", help_views.article_image, name="help-image"),
    path("chat-attachments/<uuid:attachment_id>/", chat_views.attachment_download, name="chat-attachment"),
    path("chat-attachments/<uuid:attachment_id>/original/", chat_views.attachment_original,
         name="chat-attachment-original"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/setlang/", views.set_language_view, name="set_language"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/2fa/", views.two_factor, name="two_factor"),
    path("accounts/2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/2fa/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_recovery"),
    path("accounts/confirm-email/", views.confirm_email_resend, name="confirm_email_resend"),
    path("accounts/confirm-email/<str:token>/", views.confirm_email, name="confirm_email"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification-read"),
    path("", include("tickets.urls")),
    path("", include("helpcenter.urls")),
    path("", include("livechat.urls")),
    path("", include("desk.urls")),
    path("", include("reports.urls")),
    path("", include("automation.urls")),
    path("", include("verification.urls")),
    path("", include("incidents.urls")),
)

handler400 = "support.views.bad_request"
handler403 = "support.views.permission_denied"
handler404 = "support.views.page_not_found"
handler500 = "support.views.server_error"
