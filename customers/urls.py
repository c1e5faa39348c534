from django.urls import path

from . import api

urlpatterns = [
    path("register/", api.RegisterApi.as_view(), name="register"),
    path("token/", api.TokenApi.as_view(), name="token"),
    path("token/otp/", api.TokenOtpApi.as_view(), name="token-otp"),
    path("token/refresh/", api.TokenRefreshApi.as_view(), name="token-refresh"),
    path("logout/", api.LogoutApi.as_view(), name="logout"),
    path("me/", api.MeApi.as_view(), name="me"),
    path("logins/", api.LoginEventListApi.as_view(), name="login-events"),
    path("otp/", api.OtpStatusApi.as_view(), name="otp-status"),
    path("otp/totp/", api.OtpTotpBeginApi.as_view(), name="otp-totp-begin"),
    path("otp/totp/confirm/", api.OtpTotpConfirmApi.as_view(), name="otp-totp-confirm"),
    path("otp/backup-codes/", api.OtpBackupCodesApi.as_view(), name="otp-backup-codes"),
    path("otp/disable/", api.OtpDisableApi.as_view(), name="otp-disable"),
    path("pin/", api.PinApi.as_view(), name="pin"),
    path("pin/verify/", api.PinVerifyApi.as_view(), name="pin-verify"),
    path("password/change/", api.PasswordChangeApi.as_view(), name="password-change"),
    path("password/reset/", api.PasswordResetApi.as_view(), name="password-reset"),
    path("password/reset/confirm/", api.PasswordResetConfirmApi.as_view(), name="password-reset-confirm"),
    path("contact/", api.ContactApi.as_view(), name="contact"),
]
