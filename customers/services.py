from __future__ import annotations

import base64
import datetime
import io
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

import qrcode
import qrcode.image.pure
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractBaseUser, update_last_login
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import status
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from bankingsystem.db import advisory_lock
from bankingsystem.errors import ApplicationError

from .client import ClientInfo
from .models import Address, AuthSession, Customer, LoginEvent, TransactionPin
from .selectors import login_lockout_get, otp_is_enabled, step_up_methods_for

User = get_user_model()


@transaction.atomic
def customer_register(
    *,
    username: str,
    password: str,
    email: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    date_of_birth: datetime.date | None = None,
    occupation: str = "",
    annual_income: Decimal | None = None,
    address: dict[str, str] | None = None,
) -> Customer:
    """A new customer: the login and the profile beside it (KYC pending until staff verify)."""
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            "username_taken", "This username is taken.", status=status.HTTP_400_BAD_REQUEST, field="username"
        )
    if email and User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            "email_taken", "An account with this email exists.", status=status.HTTP_400_BAD_REQUEST, field="email"
        )
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        raise ApplicationError(
            "invalid_date_of_birth", "Date of birth is in the future.", status=400, field="date_of_birth"
        )
    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ApplicationError(
            "weak_password", " ".join(error.messages), status=status.HTTP_400_BAD_REQUEST, field="password"
        ) from error
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as error:  # a concurrent registration won the race for the name
        raise ApplicationError(
            "username_taken", "This username is taken.", status=status.HTTP_400_BAD_REQUEST, field="username"
        ) from error
    customer = Customer.objects.create(
        user=candidate,
        phone=phone,
        date_of_birth=date_of_birth,
        occupation=occupation,
        annual_income=annual_income,
    )
    if address:
        Address.objects.create(customer=customer, **address)
    return customer


def roles_sync(*, using: str = "default") -> None:
    """Create the staff role groups and give each exactly its permissions."""
    from django.contrib.auth.models import Group, Permission

    from .roles import ROLE_PERMISSIONS

    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = Permission.objects.using(using).none()
        for code in codes:
            app_label, codename = code.split(".")
            wanted |= Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename)
        group.permissions.set(wanted)


# --- Identity and security ---------------------------------------------------------------
#
# Refusals that must leave a trace (a failed login, a wrong one-time code or PIN) are
# recorded inside the transaction and raised only after it commits: raising inside would
# roll back the very record that makes lockout and throttling work.


@dataclass(frozen=True)
class IssuedTokens:
    access: str
    refresh: str
    session: AuthSession


@dataclass(frozen=True)
class OtpChallenge:
    """The password was right and the user has two-factor on: no token yet, only this."""

    token: str
    expires_in: int
    methods: tuple[str, ...] = ("totp", "static")


LOGIN_CHALLENGE_SALT = "customers.login-otp-challenge"


def _event(*, client: ClientInfo, **fields) -> LoginEvent:  # type: ignore[no-untyped-def]
    return LoginEvent.objects.create(ip_address=client.ip_address, user_agent=client.user_agent[:300], **fields)


def _locked_error(lockout) -> ApplicationError:  # type: ignore[no-untyped-def]
    what = "this account" if lockout.scope == "username" else "your network address"
    return ApplicationError(
        "login_locked",
        f"Too many failed sign-in attempts for {what}; try again later or ask the bank to unlock it.",
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        extra={"locked_until": lockout.until.isoformat(), "retry_after": lockout.retry_after_seconds},
    )


# simplejwt's code, kept from the foundation's API.
INVALID_CREDENTIALS = ApplicationError(
    "no_active_account", "No active account found with the given credentials.", status=401
)


def session_start(*, user: AbstractBaseUser, client: ClientInfo, otp_method: str = "") -> IssuedTokens:
    """Open a session and mint its token pair; both tokens carry the session id."""
    session = AuthSession.objects.create(
        user=user, ip_address=client.ip_address, user_agent=client.user_agent[:300], otp_method=otp_method
    )
    refresh = RefreshToken.for_user(user)
    refresh["sid"] = str(session.pk)
    update_last_login(None, user)
    return IssuedTokens(access=str(refresh.access_token), refresh=str(refresh), session=session)


def _challenge_fingerprint(user: AbstractBaseUser) -> str:
    # Bound to the password hash: a challenge dies with the password that earned it.
    return salted_hmac(LOGIN_CHALLENGE_SALT, f"{user.pk}:{user.password}").hexdigest()[:32]


def login_start(*, username: str, password: str, client: ClientInfo, request=None) -> IssuedTokens | OtpChallenge:  # type: ignore[no-untyped-def]
    """Step one of signing in: the password. Without two-factor this issues the tokens;
    with it, a short-lived challenge to present with a one-time code (`login_complete_otp`).

    Attempts for one username are serialized (advisory lock), so a burst of parallel
    guesses cannot slip past the lockout: at most LOGIN_LOCKOUT_USER_FAILURES passwords
    are ever checked per window.
    """
    key = username.strip().lower()[:150]
    refusal: ApplicationError | None = None
    result: IssuedTokens | OtpChallenge | None = None
    with transaction.atomic():
        advisory_lock(f"login:{key}")
        known = User.objects.filter(username__iexact=key).first()
        lockout = login_lockout_get(username=key, ip_address=client.ip_address)
        if lockout is not None:
            _event(client=client, user=known, username=key, reason=LoginEvent.Reason.LOCKED)
            refusal = _locked_error(lockout)
        else:
            user = authenticate(request, username=known.get_username() if known else username, password=password)
            if user is None:
                _event(client=client, user=known, username=key, reason=LoginEvent.Reason.BAD_CREDENTIALS)
                refusal = INVALID_CREDENTIALS
            elif otp_is_enabled(user=user):
                _event(client=client, user=user, username=key, reason=LoginEvent.Reason.OTP_CHALLENGE)
                token = signing.dumps({"u": user.pk, "f": _challenge_fingerprint(user)}, salt=LOGIN_CHALLENGE_SALT)
                result = OtpChallenge(token=token, expires_in=settings.OTP_LOGIN_CHALLENGE_SECONDS)
            else:
                result = session_start(user=user, client=client)
                _event(
                    client=client, user=user, username=key, success=True, reason=LoginEvent.Reason.OK,
                    session=result.session,
                )  # fmt: skip
    if refusal is not None:
        raise refusal
    assert result is not None
    return result


def _challenge_user(challenge: str) -> AbstractBaseUser:
    invalid = ApplicationError(
        "otp_challenge_invalid",
        "The sign-in challenge is invalid or has expired; sign in with your password again.",
        status=401,
        field="otp_token",
    )
    try:
        data = signing.loads(challenge, salt=LOGIN_CHALLENGE_SALT, max_age=settings.OTP_LOGIN_CHALLENGE_SECONDS)
    except signing.BadSignature as error:
        raise invalid from error
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or data.get("f") != _challenge_fingerprint(user):
        raise invalid
    return user


@dataclass(frozen=True)
class OtpCheck:
    ok: bool
    method: str = ""
    throttled_until: datetime.datetime | None = None


def otp_verify(*, user: AbstractBaseUser, code: str) -> OtpCheck:
    """Check a one-time code against the user's confirmed devices and use it up.

    Six digits are a TOTP code, anything else a backup code. The devices are locked
    first, so of two concurrent requests with the same code exactly one succeeds: the
    other then sees the advanced `last_t` (TOTP) or the deleted token (backup code).
    A wrong code counts against the device (django-otp's exponential back-off).
    """
    code = re.sub(r"[\s-]", "", code or "").lower()
    model = TOTPDevice if re.fullmatch(r"\d{6}", code) else StaticDevice
    throttled_until = None
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"):
            allowed, info = device.verify_is_allowed()
            if not allowed:
                throttled_until = (info or {}).get("locked_until")
                continue
            if device.verify_token(code):
                return OtpCheck(ok=True, method="totp" if model is TOTPDevice else "static")
    return OtpCheck(ok=False, throttled_until=throttled_until)


def _otp_throttled_error(until: datetime.datetime) -> ApplicationError:
    wait = max(1, int((until - timezone.now()).total_seconds()) + 1)
    return ApplicationError(
        "otp_throttled",
        f"Too many wrong one-time codes; wait {wait} seconds before the next try.",
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        extra={"retry_after": wait},
    )


def login_complete_otp(*, challenge: str, code: str, client: ClientInfo) -> IssuedTokens:
    """Step two of signing in: the one-time code (TOTP or a backup code) for a challenge."""
    user = _challenge_user(challenge)
    key = user.get_username().lower()
    refusal: ApplicationError | None = None
    with transaction.atomic():
        advisory_lock(f"login:{key}")
        lockout = login_lockout_get(username=key, ip_address=client.ip_address)
        if lockout is not None:
            _event(client=client, user=user, username=key, reason=LoginEvent.Reason.LOCKED)
            refusal = _locked_error(lockout)
        else:
            check = otp_verify(user=user, code=code)
            if check.ok:
                issued = session_start(user=user, client=client, otp_method=check.method)
                _event(
                    client=client, user=user, username=key, success=True, reason=LoginEvent.Reason.OK,
                    otp_method=check.method, session=issued.session,
                )  # fmt: skip
            elif check.throttled_until is not None:
                _event(client=client, user=user, username=key, reason=LoginEvent.Reason.OTP_THROTTLED)
                refusal = _otp_throttled_error(check.throttled_until)
            else:
                _event(client=client, user=user, username=key, reason=LoginEvent.Reason.OTP_INVALID)
                refusal = ApplicationError(
                    "otp_invalid", "The one-time code is wrong or was already used.", status=401, field="code"
                )
    if refusal is not None:
        raise refusal
    return issued


@transaction.atomic
def session_end(*, session: AuthSession, reason: str, client: ClientInfo) -> None:
    """Sign out: end the session (its tokens stop working at once) and record it."""
    ended = AuthSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )
    if ended:
        _event(
            client=client, kind=LoginEvent.Kind.LOGOUT, user=session.user, username=session.user.get_username().lower(),
            success=True, reason=LoginEvent.Reason.LOGOUT, session=session,
        )  # fmt: skip


def sessions_end_all(*, user: AbstractBaseUser, reason: str, client: ClientInfo) -> int:
    """End every open session of the user and blacklist every refresh token they hold
    (called inside the password change or reset transaction)."""
    ended = AuthSession.objects.filter(user=user, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )
    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken=None)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in outstanding], ignore_conflicts=True)
    _event(
        client=client, kind=LoginEvent.Kind.LOGOUT, user=user, username=user.get_username().lower(), success=True,
        reason=reason,
    )  # fmt: skip
    return ended


@transaction.atomic
def sessions_revoke(*, session_ids: list) -> int:
    """Staff end sessions (a lost phone, a suspected theft): their tokens stop working."""
    return AuthSession.objects.filter(pk__in=session_ids, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=AuthSession.EndReason.REVOKED
    )


@transaction.atomic
def login_unlock(*, actor: AbstractBaseUser | None, username: str = "", ip_address: str | None = None) -> LoginEvent:
    """Lift a lockout (staff): failures before this moment no longer count."""
    if not username and not ip_address:
        raise ApplicationError("unlock_target_required", "Name a username or an IP address to unlock.", status=400)
    user = User.objects.filter(username__iexact=username).first() if username else None
    return LoginEvent.objects.create(
        kind=LoginEvent.Kind.UNLOCK,
        user=user,
        username=username.lower(),
        ip_address=ip_address,
        success=True,
        reason=LoginEvent.Reason.STAFF,
        actor=actor,
        channel="staff",
    )


# --- Two-factor enrolment -------------------------------------------------------------------


@dataclass(frozen=True)
class TotpEnrolment:
    device: TOTPDevice
    otpauth_uri: str
    secret: str
    qr_code_png: bytes


def _qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(data, image_factory=qrcode.image.pure.PyPNGImage).save(buffer)
    return buffer.getvalue()


@transaction.atomic
def otp_totp_begin(*, user: AbstractBaseUser) -> TotpEnrolment:
    """Start TOTP enrolment: a fresh unconfirmed device (replacing an earlier unfinished
    one), its otpauth:// URI and the QR code of it for an authenticator app."""
    advisory_lock(f"otp:{user.pk}")
    if otp_is_enabled(user=user):
        raise ApplicationError(
            "otp_already_enabled", "Two-factor authentication is already on; turn it off first.", status=409
        )
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    uri = device.config_url
    return TotpEnrolment(
        device=device,
        otpauth_uri=uri,
        secret=base64.b32encode(device.bin_key).decode(),
        qr_code_png=_qr_png(uri),
    )


def _backup_codes_issue(*, user: AbstractBaseUser) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def otp_totp_confirm(*, user: AbstractBaseUser, code: str) -> list[str]:
    """Finish enrolment with a first code from the app; returns the backup codes, shown once."""
    refusal: ApplicationError | None = None
    with transaction.atomic():
        advisory_lock(f"otp:{user.pk}")
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            raise ApplicationError(
                "otp_enrolment_not_started", "Start two-factor enrolment first (POST /auth/otp/totp/).", status=409
            )
        allowed, info = device.verify_is_allowed()
        if not allowed:
            refusal = _otp_throttled_error((info or {}).get("locked_until") or timezone.now())
        elif not re.fullmatch(r"\d{6}", code.strip()) or not device.verify_token(code.strip()):
            refusal = ApplicationError(
                "otp_invalid", "The code does not match; check the app's clock and try the next code.", field="code"
            )
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _backup_codes_issue(user=user)
    if refusal is not None:
        raise refusal
    return codes


@transaction.atomic
def otp_totp_confirm_by_staff(*, user: AbstractBaseUser) -> list[str]:
    """Confirm the pending device without a code (`manage.py otp_enroll`, run by whoever
    holds the server: the secret is shown to them directly)."""
    if not TOTPDevice.objects.filter(user=user, confirmed=False).update(confirmed=True):
        raise ApplicationError("otp_enrolment_not_started", "Start two-factor enrolment first.", status=409)
    return _backup_codes_issue(user=user)


@transaction.atomic
def otp_backup_codes_regenerate(*, user: AbstractBaseUser) -> list[str]:
    """New backup codes; the old ones stop working."""
    if not otp_is_enabled(user=user):
        raise ApplicationError("otp_not_enabled", "Two-factor authentication is not on.", status=409)
    return _backup_codes_issue(user=user)


@transaction.atomic
def otp_disable(*, user: AbstractBaseUser) -> None:
    if not otp_is_enabled(user=user):
        raise ApplicationError("otp_not_enabled", "Two-factor authentication is not on.", status=409)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# --- Transaction PIN -------------------------------------------------------------------------


def _pin_validate(pin: str) -> None:
    if not re.fullmatch(r"\d{4,6}", pin):
        raise ApplicationError("invalid_pin", "The PIN must be 4 to 6 digits.", status=400, field="pin")
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if len(set(pin)) == 1 or steps in ({1}, {-1}):
        raise ApplicationError(
            "weak_pin", "Choose a PIN that is not one repeated digit or a run like 1234.", status=400, field="pin"
        )


def password_confirm(*, user: AbstractBaseUser, password: str, field: str = "password") -> None:
    """Re-authentication for account changes: the current password."""
    if not user.check_password(password):
        raise ApplicationError("invalid_password", "The current password is wrong.", status=400, field=field)


@transaction.atomic
def pin_set(*, user: AbstractBaseUser, pin: str) -> TransactionPin:
    """Set or change the PIN (the API asks for the password and a step-up first)."""
    _pin_validate(pin)
    record, _ = TransactionPin.objects.update_or_create(
        user=user, defaults={"pin_hash": make_password(pin), "failed_attempts": 0, "locked_until": None}
    )
    return record


def pin_verify(*, user: AbstractBaseUser, pin: str) -> None:
    """Check the PIN; TRANSACTION_PIN_MAX_ATTEMPTS wrong ones in a row lock it for a while."""
    refusal: ApplicationError | None = None
    with transaction.atomic():
        record = TransactionPin.objects.select_for_update().filter(user=user).first()
        now = timezone.now()
        if record is None:
            refusal = ApplicationError("pin_not_set", "No transaction PIN is set.", status=409)
        elif record.locked_until and record.locked_until > now:
            wait = int((record.locked_until - now).total_seconds()) + 1
            refusal = ApplicationError(
                "pin_locked",
                "Too many wrong PINs; the PIN is locked for now.",
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                extra={"retry_after": wait, "locked_until": record.locked_until.isoformat()},
            )
        elif check_password(pin or "", record.pin_hash):
            if record.failed_attempts:
                record.failed_attempts, record.locked_until = 0, None
                record.save(update_fields=["failed_attempts", "locked_until", "updated_at"])
        else:
            record.failed_attempts += 1
            left = settings.TRANSACTION_PIN_MAX_ATTEMPTS - record.failed_attempts
            if left <= 0:
                record.failed_attempts = 0
                record.locked_until = now + datetime.timedelta(minutes=settings.TRANSACTION_PIN_LOCK_MINUTES)
            record.save(update_fields=["failed_attempts", "locked_until", "updated_at"])
            refusal = ApplicationError(
                "pin_invalid", "The transaction PIN is wrong.", status=403, extra={"attempts_left": max(left, 0)}
            )
    if refusal is not None:
        raise refusal


# --- Step-up --------------------------------------------------------------------------------


def step_up_verify(
    *, user: AbstractBaseUser, action: str, otp: str | None = None, pin: str | None = None, required: bool = True
) -> str | None:
    """Prove a sensitive action with a fresh second factor: an OTP for users enrolled in
    two-factor, else the transaction PIN. Returns the method used (None when the user has
    no second factor and `required` is False).

    Call it outside any enclosing transaction (see customers.stepup), so that a wrong code
    still counts against the device or PIN.
    """
    methods = step_up_methods_for(user=user)
    extra = {"action": action, "methods": methods, "headers": {"otp": "X-OTP", "pin": "X-Transaction-PIN"}}
    if not methods:
        if not required:
            return None
        raise ApplicationError(
            "step_up_setup_required",
            "This action needs a second factor: set a transaction PIN or turn on two-factor authentication.",
            status=status.HTTP_403_FORBIDDEN,
            extra=extra,
        )
    if methods == ["otp"]:
        if not otp:
            raise ApplicationError(
                "step_up_required",
                "Confirm this action with a fresh one-time code in the X-OTP header.",
                status=status.HTTP_403_FORBIDDEN,
                extra=extra,
            )
        check = otp_verify(user=user, code=otp)
        if check.ok:
            return "otp"
        if check.throttled_until is not None:
            raise _otp_throttled_error(check.throttled_until)
        raise ApplicationError(
            "step_up_invalid", "The one-time code is wrong or was already used.", status=403, extra=extra
        )
    if not pin:
        raise ApplicationError(
            "step_up_required",
            "Confirm this action with your transaction PIN in the X-Transaction-PIN header.",
            status=status.HTTP_403_FORBIDDEN,
            extra=extra,
        )
    pin_verify(user=user, pin=pin)
    return "pin"


# --- Passwords and contact details ------------------------------------------------------------


def _password_validate(password: str, user: AbstractBaseUser, field: str = "new_password") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ApplicationError("weak_password", " ".join(error.messages), status=400, field=field) from error


@transaction.atomic
def password_change(*, user: AbstractBaseUser, old_password: str, new_password: str, client: ClientInfo) -> None:
    """Change the password (the old one required); every session and token is revoked."""
    password_confirm(user=user, password=old_password, field="old_password")
    if old_password == new_password:
        raise ApplicationError("password_unchanged", "Choose a new password.", status=400, field="new_password")
    _password_validate(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_end_all(user=user, reason=AuthSession.EndReason.PASSWORD_CHANGED, client=client)


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Mail a one-time reset link to the active logins with this address. Says nothing
    about whether there are any (no account discovery)."""
    from .tasks import password_reset_email_send_task

    for user_id in User.objects.filter(email__iexact=email.strip(), is_active=True).values_list("pk", flat=True):
        transaction.on_commit(lambda user_id=user_id: password_reset_email_send_task.delay(user_id))


def password_reset_email_send(*, user_id: int) -> bool:
    """Build the link when the mail is sent (the token embeds the current password hash
    and last login, so it dies on use or on any later sign-in)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    link = settings.PASSWORD_RESET_URL.format(
        uid=urlsafe_base64_encode(force_bytes(user.pk)), token=default_token_generator.make_token(user)
    )
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    send_mail(
        subject=f"{settings.BANK_NAME}: reset your password",
        message=(
            f"Hello {user.get_full_name() or user.get_username()},\n\n"
            f"Someone asked to reset the password of your {settings.BANK_NAME} login. If it was you, open this "
            f"link within {minutes} minutes; it works once:\n\n{link}\n\n"
            "If it was not you, ignore this email: your password stays as it is.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str, client: ClientInfo) -> None:
    invalid = ApplicationError(
        "reset_link_invalid", "The reset link is invalid, expired or already used.", status=400, field="token"
    )
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError) as error:
        raise invalid from error
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise invalid
    _password_validate(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_end_all(user=user, reason=AuthSession.EndReason.PASSWORD_RESET, client=client)
    # Whoever holds the mailbox is the owner: a lockout from earlier failures is lifted.
    login_unlock(actor=None, username=user.get_username())


@transaction.atomic
def contact_update(*, user: AbstractBaseUser, email: str | None = None, phone: str | None = None) -> None:
    if email is not None and email.lower() != user.email.lower():
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise ApplicationError("email_taken", "An account with this email exists.", status=400, field="email")
        user.email = email
        user.save(update_fields=["email"])
    if phone is not None:
        customer = Customer.objects.filter(user=user).first()
        if customer is None:
            raise ApplicationError("customer_required", "Only customers have a phone number here.", status=400)
        customer.phone = phone
        customer.save(update_fields=["phone", "updated_at"])
