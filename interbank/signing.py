"""Node-to-node calls: HMAC-SHA256 signed, time-limited, over the bank's shared secret.

The signature covers the method, the path, the timestamp, the calling node and a hash of
the body, so a captured call cannot be replayed after NODE_SIGNATURE_MAX_AGE_SECONDS, sent
to another endpoint or given another body. Every call is idempotent on its own (it names
a global transaction id), so a retry within the window is harmless.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import requests
from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

NODE_HEADER, TIME_HEADER, SIGNATURE_HEADER = "X-Bank-Node", "X-Bank-Timestamp", "X-Bank-Signature"


def _secret() -> bytes:
    if not settings.NODE_SHARED_SECRET:
        raise AuthenticationFailed("Node-to-node calls are not configured on this node.")
    return settings.NODE_SHARED_SECRET.encode()


def signature(*, method: str, path: str, timestamp: str, node: str, body: bytes) -> str:
    message = "\n".join([method.upper(), path, timestamp, node, hashlib.sha256(body).hexdigest()]).encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()


def signed_call(*, node_url: str, method: str, path: str, payload: dict[str, Any] | None = None) -> requests.Response:
    """Call a peer node; raises requests.RequestException when it does not answer in time."""
    body = json.dumps(payload or {}, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        NODE_HEADER: settings.NODE_CODE,
        TIME_HEADER: timestamp,
        SIGNATURE_HEADER: signature(method=method, path=path, timestamp=timestamp, node=settings.NODE_CODE, body=body),
    }
    return requests.request(
        method, f"{node_url}{path}", data=body, headers=headers, timeout=settings.NODE_CALL_TIMEOUT_SECONDS
    )


class PeerNode:
    """The authenticated caller: another node of this bank."""

    is_authenticated = True
    is_peer_node = True

    def __init__(self, code: str) -> None:
        self.code = code
        # DRF's user throttles key on `user.pk`; a node is throttled under its own code.
        self.pk = f"node:{code}"

    def __str__(self) -> str:
        return f"node {self.code}"


class NodeSignatureAuthentication(BaseAuthentication):
    def authenticate(self, request):  # type: ignore[no-untyped-def]
        node = request.headers.get(NODE_HEADER)
        if node is None:
            return None
        timestamp = request.headers.get(TIME_HEADER, "")
        given = request.headers.get(SIGNATURE_HEADER, "")
        if node not in settings.NODE_PEERS:
            raise AuthenticationFailed("Unknown node.")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > settings.NODE_SIGNATURE_MAX_AGE_SECONDS:
            raise AuthenticationFailed("The call is too old (or from the future).")
        expected = signature(
            method=request.method, path=request.path, timestamp=timestamp, node=node, body=request.body
        )
        if not hmac.compare_digest(expected, given):
            raise AuthenticationFailed("Bad signature.")
        return (PeerNode(node), None)

    def authenticate_header(self, request):  # type: ignore[no-untyped-def]
        return "HMAC-SHA256"


class IsPeerNode(BasePermission):
    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return getattr(request.user, "is_peer_node", False)
