import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Customer(models.Model):
    """A bank customer: the profile beside the auth user (name and email live on the user)."""

    class KycStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customer")
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True, db_index=True)
    occupation = models.CharField(max_length=100, blank=True)
    annual_income = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    kyc_status = models.CharField(max_length=10, choices=KycStatus.choices, default=KycStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.full_name or self.user.get_username()

    @property
    def full_name(self) -> str:
        return self.user.get_full_name()

    @property
    def address_or_none(self) -> "Address | None":
        try:
            return self.address
        except Address.DoesNotExist:
            return None


class Address(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="address")
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    country = models.CharField(max_length=2, default="IN", help_text="ISO 3166-1 alpha-2")

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.line1}, {self.city}"


# --- Identity and security --------------------------------------------------------------


class AuthSession(models.Model):
    """One sign-in. Every access and refresh token of that sign-in carries its id (the
    `sid` claim), so ending the session revokes all of them at once: on logout, on a
    password change or reset, or by staff."""

    class EndReason(models.TextChoices):
        LOGOUT = "logout", "Logged out"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset"
        REVOKED = "revoked", "Revoked by staff"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_sessions")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    otp_method = models.CharField(max_length=10, blank=True, help_text="How the second factor was proven, if at all")

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"], name="authsession_user_open_idx")]

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class LoginEvent(models.Model):
    """Append-only record of every sign-in attempt, sign-out and lockout lift. Login
    lockout is computed from these rows (see customers.lockout)."""

    class Kind(models.TextChoices):
        LOGIN = "login", "Login"
        LOGOUT = "logout", "Logout"
        UNLOCK = "unlock", "Lockout lifted"

    class Reason(models.TextChoices):
        OK = "ok", "Signed in"
        BAD_CREDENTIALS = "bad_credentials", "Wrong username or password"
        LOCKED = "locked", "Refused: locked out"
        OTP_CHALLENGE = "otp_challenge", "Password correct, one-time code asked for"
        OTP_INVALID = "otp_invalid", "Wrong or reused one-time code"
        OTP_THROTTLED = "otp_throttled", "Too many one-time code attempts"
        LOGOUT = "logout", "Logged out"
        PASSWORD_CHANGED = "password_changed", "Sessions ended: password changed"
        PASSWORD_RESET = "password_reset", "Sessions ended: password reset"
        STAFF = "staff", "Lifted by staff"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LOGIN)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="login_events"
    )
    username = models.CharField(max_length=150, blank=True, help_text="As typed, lower-cased (lockout key)")
    success = models.BooleanField(default=False)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    otp_method = models.CharField(max_length=10, blank=True, help_text="totp or static (backup code)")
    channel = models.CharField(max_length=10, default="api", help_text="api or admin")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    session = models.ForeignKey(AuthSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Staff member who lifted a lockout",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["username", "created_at"], name="loginevent_username_idx"),
            models.Index(fields=["ip_address", "created_at"], name="loginevent_ip_idx"),
            models.Index(fields=["user", "-created_at"], name="loginevent_user_idx"),
        ]
        permissions = [("unlock_login", "Can lift a login lockout")]

    def __str__(self) -> str:
        return f"{self.kind} {self.username or self.ip_address} {self.reason} at {self.created_at:%Y-%m-%d %H:%M}"


class TransactionPin(models.Model):
    """A numeric PIN that confirms sensitive actions for customers without OTP. Only its
    hash is stored (the password hasher); wrong entries lock it for a while."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transaction_pin")
    pin_hash = models.CharField(max_length=256)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"PIN of {self.user}"
