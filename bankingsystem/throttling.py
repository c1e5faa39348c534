"""The API's request throttle: DRF's anon, user and scope throttles, checked together.

Same rates (DEFAULT_THROTTLE_RATES: "anon", "user" and the view's `throttle_scope`), same
callers (the user's pk, or the client address as DRF's `get_ident` reads it with
NUM_PROXIES for callers not signed in), same sliding window (a request counts against a
rate for `duration` seconds after it was let through) and the same refusal (429
`throttled`, Retry-After as DRF's `wait()` computes it).

Why not DRF's three classes: DRF runs them one by one and each reads its history (a
pickled list of up to `rate` timestamps) from the cache and writes it back, so every
signed-in request made four Redis round trips (user and scope), about 0.4 ms of CPU a
request, and two concurrent requests could each read a history and write it back without
the other. On Redis the windows are sorted sets, trimmed, counted and recorded by one
script: one round trip, atomic. Other caches (the embedded default's per-process memory)
run DRF's own throttles.

One deliberate difference: a refused request counts against no window (DRF counted it
against the windows that had room), so a client at its "money" limit does not also use up
its general one while it waits.
"""

from __future__ import annotations

import functools
import itertools
import os
import time
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import (
    AnonRateThrottle,
    BaseThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from .cache import RedisCache

if TYPE_CHECKING:  # rest_framework.views imports this module (DEFAULT_THROTTLE_CLASSES)
    from rest_framework.request import Request
    from rest_framework.views import APIView

# KEYS: the windows. ARGV: the request's timestamp, its member name, then for each window
# its limit and duration (seconds) and the timestamp at or before which entries have left it.
# Returns each window's count before this request and, when full, its oldest timestamp;
# the request is recorded in every window only when all of them have room.
_WINDOWS_SCRIPT = """
local counts = {}
local room = true
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[3 * i + 2])
  local count = redis.call('ZCARD', key)
  local oldest = ''
  if count >= tonumber(ARGV[3 * i]) then
    room = false
    local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    if first[2] then oldest = first[2] end
  end
  counts[i] = {count, oldest}
end
if room then
  for i, key in ipairs(KEYS) do
    redis.call('ZADD', key, ARGV[1], ARGV[2])
    redis.call('EXPIRE', key, ARGV[3 * i + 1])
  end
end
return counts
"""

_members = itertools.count()


@functools.cache
def _parse(rate: str) -> tuple[int, int]:
    return SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type,return-value]


class RequestRateThrottle(BaseThrottle):
    """AnonRateThrottle + UserRateThrottle + ScopedRateThrottle in one (see the module)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        cache = caches["default"]
        if not isinstance(cache, RedisCache):
            return self._drf_allow(request, view)
        windows = self._windows(request, view)
        if not windows:
            return True
        now = time.time()
        args: list[Any] = [repr(now), f"{now!r}:{os.getpid()}:{next(_members)}"]
        for _, limit, duration in windows:
            args += [limit, duration, repr(now - duration)]
        counts = cache.script_run(_WINDOWS_SCRIPT, [key for key, _, _ in windows], args)
        waits: list[float | None] = []
        for (_, limit, duration), (count, oldest) in zip(windows, counts, strict=True):
            if count >= limit:  # as SimpleRateThrottle.wait()
                remaining = duration - (now - float(oldest)) if oldest else duration
                available = limit - count + 1
                waits.append(remaining / available if available > 0 else None)
        if not waits:
            return True
        self._wait = max((w for w in waits if w is not None), default=None)
        return False

    def wait(self) -> float | None:
        return self._wait

    def _windows(self, request: Request, view: APIView) -> list[tuple[str, int, int]]:
        """(key, limit, duration) of each rate this request counts against."""
        rates = api_settings.DEFAULT_THROTTLE_RATES
        user = request.user
        signed_in = bool(user and user.is_authenticated)
        ident = user.pk if signed_in else self.get_ident(request)
        scopes = [] if signed_in else ["anon"]
        scopes.append("user")
        scope = getattr(view, "throttle_scope", None)
        if scope:
            if scope not in rates:
                raise ImproperlyConfigured(f"No default throttle rate set for '{scope}' scope")
            scopes.append(scope)
        windows = []
        for name in scopes:
            rate = rates.get(name)
            if rate is not None:
                limit, duration = _parse(rate)
                windows.append((f"throttle:{name}:{ident}", limit, duration))
        return windows

    def _drf_allow(self, request: Request, view: APIView) -> bool:
        """DRF's three throttles, as before (caches other than Redis)."""
        waits = []
        for throttle_class in _DRF_THROTTLES:
            throttle = throttle_class()
            if not throttle.allow_request(request, view):
                waits.append(throttle.wait())
        if not waits:
            return True
        self._wait = max((w for w in waits if w is not None), default=None)
        return False


class _LiveRates:
    """DRF binds DEFAULT_THROTTLE_RATES when rest_framework.throttling is imported; read them
    when asked, as RequestRateThrottle does (tests change them)."""

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:  # DRF's name
        return api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[no-any-return]


_DRF_THROTTLES = [
    type(cls.__name__, (_LiveRates, cls), {}) for cls in (AnonRateThrottle, UserRateThrottle, ScopedRateThrottle)
]
