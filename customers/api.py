from __future__ import annotations

import base64

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from bankingsystem.errors import ApplicationError
from bankingsystem.serializers import MoneyField, StrictSerializer

from . import roles
from .authentication import SessionTokenRefreshSerializer, current_session
from .client import client_info
from .models import AuthSession, Customer, LoginEvent
from .selectors import login_event_list_for, otp_backup_codes_remaining, otp_is_enabled, pin_is_set
from .services import (
    IssuedTokens,
    contact_update,
    customer_register,
    login_complete_otp,
    login_start,
    otp_backup_codes_regenerate,
    otp_disable,
    otp_totp_begin,
    otp_totp_confirm,
    password_change,
    password_confirm,
    password_reset_confirm,
    password_reset_request,
    pin_set,
    pin_verify,
    session_end,
)
from .stepup import STEP_UP_PARAMETERS, step_up_check


class AddressSerializer(StrictSerializer):
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    postal_code = serializers.CharField(max_length=12, required=False, default="", allow_blank=True)
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, default="IN")


class CustomerOutputSerializer(serializers.ModelSerializer):
    annual_income = MoneyField(allow_null=True)
    address = AddressSerializer(allow_null=True, source="address_or_none")

    class Meta:
        model = Customer
        fields = ["phone", "date_of_birth", "occupation", "annual_income", "kyc_status", "address"]


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    customer = CustomerOutputSerializer(allow_null=True)
    otp_enabled = serializers.BooleanField()
    pin_set = serializers.BooleanField()


def me_data(user) -> dict:  # type: ignore[no-untyped-def]
    customer = Customer.objects.filter(user=user).select_related("address").first()
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": sorted(roles.user_roles(user)) or ["customer"],
        "customer": customer,
        "otp_enabled": otp_is_enabled(user=user),
        "pin_set": pin_is_set(user=user),
    }


class PublicAuthApi(APIView):
    """Endpoints for callers who are not signed in yet: throttled per address."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_scope = "auth"


class SensitiveApi(APIView):
    """Changes to one's own security settings: throttled per user."""

    throttle_scope = "sensitive"


class RegisterApi(PublicAuthApi):
    class RegisterInputSerializer(StrictSerializer):
        username = serializers.RegexField(r"^[\w.@+-]{3,150}$")
        password = serializers.CharField(write_only=True, max_length=128)
        email = serializers.EmailField()
        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        phone = serializers.RegexField(r"^\+?[0-9 -]{7,20}$", required=False, default="")
        date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
        occupation = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
        annual_income = MoneyField(required=False, allow_null=True, default=None)
        address = AddressSerializer(required=False, allow_null=True, default=None)

    @extend_schema(request=RegisterInputSerializer, responses={201: MeOutputSerializer})
    def post(self, request: Request) -> Response:
        """Open a customer login. The profile starts with KYC pending."""
        data = self.RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        income = data.validated_data["annual_income"]
        if income is not None and income < 0:
            raise ApplicationError("invalid_income", "Income cannot be negative.", status=400, field="annual_income")
        customer = customer_register(**data.validated_data)
        return Response(MeOutputSerializer(me_data(customer.user)).data, status=status.HTTP_201_CREATED)


class MeApi(APIView):
    @extend_schema(responses=MeOutputSerializer)
    def get(self, request: Request) -> Response:
        """Who the caller is: login, roles, and the customer profile where there is one."""
        return Response(MeOutputSerializer(me_data(request.user)).data)


# --- Sign-in: password, then (with two-factor) a one-time code ---------------------------


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField(required=False, help_text="Present once signed in")
    refresh = serializers.CharField(required=False, help_text="Present once signed in")
    otp_required = serializers.BooleanField(help_text="True: send `otp_token` and a code to /auth/token/otp/")
    otp_token = serializers.CharField(required=False, help_text="The sign-in challenge (two-factor users)")
    otp_methods = serializers.ListField(child=serializers.CharField(), required=False)
    expires_in = serializers.IntegerField(required=False, help_text="Seconds the challenge stays valid")


def _tokens(issued: IssuedTokens) -> Response:
    return Response(
        TokenPairOutputSerializer({"access": issued.access, "refresh": issued.refresh, "otp_required": False}).data
    )


class TokenApi(PublicAuthApi):
    class TokenInputSerializer(StrictSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(request=TokenInputSerializer, responses=TokenPairOutputSerializer)
    def post(self, request: Request) -> Response:
        """Sign in, step one. Without two-factor: the token pair. With it: `otp_required`
        and a challenge; no token is issued before the one-time code."""
        data = self.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = login_start(**data.validated_data, client=client_info(request), request=request._request)
        if isinstance(result, IssuedTokens):
            return _tokens(result)
        body = {
            "otp_required": True,
            "otp_token": result.token,
            "otp_methods": list(result.methods),
            "expires_in": result.expires_in,
        }
        return Response(TokenPairOutputSerializer(body).data)


class TokenOtpApi(PublicAuthApi):
    class TokenOtpInputSerializer(StrictSerializer):
        otp_token = serializers.CharField(max_length=1000)
        code = serializers.CharField(max_length=20, help_text="6-digit TOTP code, or a backup code")

    @extend_schema(request=TokenOtpInputSerializer, responses=TokenPairOutputSerializer)
    def post(self, request: Request) -> Response:
        """Sign in, step two: the one-time code for the challenge; each code works once."""
        data = self.TokenOtpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = login_complete_otp(
            challenge=data.validated_data["otp_token"], code=data.validated_data["code"], client=client_info(request)
        )
        return _tokens(issued)


class TokenRefreshApi(TokenRefreshView):
    """A new access token (and a rotated refresh token) while the session is open."""

    serializer_class = SessionTokenRefreshSerializer
    throttle_scope = "auth"


class LogoutApi(APIView):
    class LogoutInputSerializer(StrictSerializer):
        refresh = serializers.CharField(required=False, help_text="Also blacklisted when given")

    @extend_schema(request=LogoutInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        """Sign out: the session ends, so its access and refresh tokens stop working now."""
        data = self.LogoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "refresh" in data.validated_data:
            try:
                token = RefreshToken(data.validated_data["refresh"])
                if str(token.get("user_id")) != str(request.user.pk):
                    raise TokenError("Token belongs to another user")
                token.blacklist()
            except TokenError as error:
                raise ApplicationError(
                    "token_not_valid", "The refresh token is invalid or already revoked.", status=400, field="refresh"
                ) from error
        session = current_session(request)
        if session is not None:
            session_end(session=session, reason=AuthSession.EndReason.LOGOUT, client=client_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginEventOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = LoginEvent
        fields = ["id", "kind", "success", "reason", "otp_method", "ip_address", "user_agent", "created_at"]


class LoginEventListApi(generics.ListAPIView):
    """The caller's recent sign-ins, failed attempts and sign-outs, newest first."""

    serializer_class = LoginEventOutputSerializer
    filterset_fields = ["kind", "success"]

    def get_queryset(self) -> QuerySet[LoginEvent]:
        return login_event_list_for(user=self.request.user)


# --- Two-factor set-up -----------------------------------------------------------------------


class OtpStatusOutputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    backup_codes_remaining = serializers.IntegerField()


class BackupCodesOutputSerializer(serializers.Serializer):
    backup_codes = serializers.ListField(child=serializers.CharField(), help_text="Each works once; shown only now")


class PasswordConfirmInputSerializer(StrictSerializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False, help_text="The current password")


class OtpStatusApi(APIView):
    @extend_schema(responses=OtpStatusOutputSerializer)
    def get(self, request: Request) -> Response:
        body = {
            "enabled": otp_is_enabled(user=request.user),
            "backup_codes_remaining": otp_backup_codes_remaining(user=request.user),
        }
        return Response(OtpStatusOutputSerializer(body).data)


class OtpTotpEnrolmentOutputSerializer(serializers.Serializer):
    otpauth_uri = serializers.CharField()
    secret = serializers.CharField(help_text="Base32, for typing into the app by hand")
    qr_code = serializers.CharField(help_text="data:image/png;base64,... of the otpauth URI")


class OtpTotpBeginApi(SensitiveApi):
    @extend_schema(request=PasswordConfirmInputSerializer, responses={201: OtpTotpEnrolmentOutputSerializer})
    def post(self, request: Request) -> Response:
        """Start two-factor enrolment: scan the QR code, then confirm with a first code."""
        data = PasswordConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_confirm(user=request.user, password=data.validated_data["password"])
        enrolment = otp_totp_begin(user=request.user)
        body = {
            "otpauth_uri": enrolment.otpauth_uri,
            "secret": enrolment.secret,
            "qr_code": "data:image/png;base64," + base64.b64encode(enrolment.qr_code_png).decode(),
        }
        return Response(OtpTotpEnrolmentOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class OtpTotpConfirmApi(SensitiveApi):
    class OtpConfirmInputSerializer(StrictSerializer):
        code = serializers.CharField(max_length=10)

    @extend_schema(request=OtpConfirmInputSerializer, responses={201: BackupCodesOutputSerializer})
    def post(self, request: Request) -> Response:
        """Turn two-factor on with the first code from the app; returns backup codes once."""
        data = self.OtpConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = otp_totp_confirm(user=request.user, code=data.validated_data["code"])
        return Response(BackupCodesOutputSerializer({"backup_codes": codes}).data, status=status.HTTP_201_CREATED)


class OtpBackupCodesApi(SensitiveApi):
    @extend_schema(
        request=PasswordConfirmInputSerializer,
        responses={201: BackupCodesOutputSerializer},
        parameters=STEP_UP_PARAMETERS,
    )
    def post(self, request: Request) -> Response:
        """New backup codes (password and a fresh one-time code); the old ones stop working."""
        data = PasswordConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_confirm(user=request.user, password=data.validated_data["password"])
        step_up_check(request, action="otp_backup_codes")
        codes = otp_backup_codes_regenerate(user=request.user)
        return Response(BackupCodesOutputSerializer({"backup_codes": codes}).data, status=status.HTTP_201_CREATED)


class OtpDisableApi(SensitiveApi):
    @extend_schema(request=PasswordConfirmInputSerializer, responses={204: None}, parameters=STEP_UP_PARAMETERS)
    def post(self, request: Request) -> Response:
        """Turn two-factor off (password and a fresh one-time code)."""
        data = PasswordConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_confirm(user=request.user, password=data.validated_data["password"])
        step_up_check(request, action="otp_disable")
        otp_disable(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Transaction PIN ---------------------------------------------------------------------------


class PinStatusOutputSerializer(serializers.Serializer):
    is_set = serializers.BooleanField()


class PinApi(SensitiveApi):
    class PinSetInputSerializer(StrictSerializer):
        pin = serializers.CharField(max_length=6, min_length=4, trim_whitespace=False)
        password = serializers.CharField(max_length=128, trim_whitespace=False, help_text="The current password")

    @extend_schema(responses=PinStatusOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(PinStatusOutputSerializer({"is_set": pin_is_set(user=request.user)}).data)

    @extend_schema(request=PinSetInputSerializer, responses={204: None}, parameters=STEP_UP_PARAMETERS)
    def post(self, request: Request) -> Response:
        """Set the transaction PIN, or change it (then the old PIN, or an OTP, as step-up)."""
        data = self.PinSetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_confirm(user=request.user, password=data.validated_data["password"])
        step_up_check(request, action="pin_change", required=False)
        pin_set(user=request.user, pin=data.validated_data["pin"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PinVerifyApi(SensitiveApi):
    class PinVerifyInputSerializer(StrictSerializer):
        pin = serializers.CharField(max_length=6, trim_whitespace=False)

    @extend_schema(request=PinVerifyInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        """Check the PIN (counts towards its lock like any other use)."""
        data = self.PinVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pin_verify(user=request.user, pin=data.validated_data["pin"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Password and contact details --------------------------------------------------------------


class PasswordChangeApi(SensitiveApi):
    class PasswordChangeInputSerializer(StrictSerializer):
        old_password = serializers.CharField(max_length=128, trim_whitespace=False)
        new_password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(request=PasswordChangeInputSerializer, responses={204: None}, parameters=STEP_UP_PARAMETERS)
    def post(self, request: Request) -> Response:
        """Change the password. Every session ends (all tokens revoked): sign in again."""
        data = self.PasswordChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_confirm(user=request.user, password=data.validated_data["old_password"], field="old_password")
        step_up_check(request, action="password_change", required=False)
        password_change(user=request.user, **data.validated_data, client=client_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(PublicAuthApi):
    class PasswordResetInputSerializer(StrictSerializer):
        email = serializers.EmailField()

    @extend_schema(request=PasswordResetInputSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        """Email a one-time reset link. The answer is the same whether or not the address is known."""
        data = self.PasswordResetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_request(email=data.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(PublicAuthApi):
    class PasswordResetConfirmInputSerializer(StrictSerializer):
        uid = serializers.CharField(max_length=64)
        token = serializers.CharField(max_length=128)
        new_password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(request=PasswordResetConfirmInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        """Set a new password from the emailed link (works once); every session ends."""
        data = self.PasswordResetConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_confirm(**data.validated_data, client=client_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContactApi(SensitiveApi):
    class ContactUpdateInputSerializer(StrictSerializer):
        email = serializers.EmailField(required=False)
        phone = serializers.RegexField(r"^\+?[0-9 -]{7,20}$", required=False)
        password = serializers.CharField(max_length=128, trim_whitespace=False, help_text="The current password")

    @extend_schema(request=ContactUpdateInputSerializer, responses=MeOutputSerializer, parameters=STEP_UP_PARAMETERS)
    def post(self, request: Request) -> Response:
        """Change email and/or phone (password, plus a step-up for users with a second factor)."""
        data = self.ContactUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_confirm(user=request.user, password=data.validated_data.pop("password"))
        step_up_check(request, action="contact_change", required=False)
        contact_update(user=request.user, **data.validated_data)
        return Response(MeOutputSerializer(me_data(request.user)).data)
