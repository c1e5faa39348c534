"""The Redis cache (throttles' counts) with one client object per connection pool."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches

pytestmark = pytest.mark.skipif(
    settings.CACHES["default"]["BACKEND"] != "bankingsystem.cache.RedisCache", reason="needs REDIS_URL"
)


def test_the_cache_works_and_keeps_its_client():
    cache = caches["default"]
    cache.set("history", [3.0, 2.0], 5)
    assert cache.get("history") == [3.0, 2.0]
    assert cache.add("history", [], 5) is False
    assert cache.get_many(["history", "absent"]) == {"history": [3.0, 2.0]}
    cache.delete("history")
    assert cache.get("history", "gone") == "gone"
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
