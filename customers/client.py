"""Who is asking, from where: recorded with every sign-in event and session."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class ClientInfo:
    ip_address: str | None = None
    user_agent: str = ""


def client_info(request: Any) -> ClientInfo:
    """The caller's address: REMOTE_ADDR, or the last X-Forwarded-For hop (added by our own
    proxy) when TRUST_X_FORWARDED_FOR is on; never a client-chosen value otherwise."""
    address = request.META.get("REMOTE_ADDR") or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUST_X_FORWARDED_FOR and forwarded:
        address = forwarded.split(",")[-1].strip() or address
    try:
        address = str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        address = None
    return ClientInfo(ip_address=address, user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])
