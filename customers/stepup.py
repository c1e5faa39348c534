"""Step-up verification for sensitive actions, for any app's API to call.

A sensitive request without proof is refused with 403 and a problem whose `code` is
`step_up_required` (`methods` says which proof: `otp` or `pin`); the client asks the
person and sends the same request again with the proof in a header:

    X-OTP: 123456                 (a fresh TOTP code, or a backup code)
    X-Transaction-PIN: 4826       (for users without two-factor)

Other codes: `step_up_invalid` (wrong or reused code), `otp_throttled` / `pin_locked`
(429, too many wrong tries), `step_up_setup_required` (the user has no second factor yet).

Use in a view, before any transaction is opened (a wrong code must still be counted, so
the check commits on its own):

    from customers.stepup import step_up_check
    step_up_check(request, action="beneficiary_add")

or as a decorator on a view method, outermost, with an optional condition:

    @step_up(action="transfer", when=lambda request: amount(request) >= threshold)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from .services import step_up_verify

OTP_HEADER = "X-OTP"
PIN_HEADER = "X-Transaction-PIN"

STEP_UP_PARAMETERS = [
    OpenApiParameter(
        OTP_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, description="Step-up: a fresh one-time code"
    ),
    OpenApiParameter(
        PIN_HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="Step-up: the transaction PIN (users without two-factor)",
    ),
]


def step_up_check(request: Request, *, action: str, required: bool = True) -> str | None:
    """Refuse unless the request carries a valid fresh second factor for this user.

    `required=False` lets users with no second factor at all through (for changes that
    already ask for the password); users who have one must always use it.
    """
    return step_up_verify(
        user=request.user,
        action=action,
        otp=request.headers.get(OTP_HEADER),
        pin=request.headers.get(PIN_HEADER),
        required=required,
    )


def step_up(*, action: str, when: Callable[[Request], bool] | None = None, required: bool = True) -> Callable:
    """Decorate an APIView method: step-up first (when `when(request)` holds), then the view."""

    def decorate(method: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(method)
        def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            if when is None or when(request):
                step_up_check(request, action=action, required=required)
            return method(self, request, *args, **kwargs)

        return wrapper

    return decorate
