"""Django's Redis cache, keeping its Redis client object.

Django's RedisCacheClient builds a new `redis.Redis` around the connection pool for every
cache call; redis-py's constructor (option parsing, response callbacks) cost about 90 us
on this machine, on every cache call (the throttles' one script per API request among
them, bankingsystem.throttling). The client is thread-safe and the pool is the same, so
each pool's client is made once. Everything else (keys, serialisation, timeouts) is
Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:  # as Django's _get_connection_pool, for this index
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._scripts: dict[str, Any] = {}

    def script_run(self, source: str, keys: list[str], args: list[Any]) -> Any:
        """Run a Lua script on the write server over this cache's keys (`make_key` applied:
        prefix and version), as the throttles' windows are (bankingsystem.throttling):
        EVALSHA, loading the script on first use or after the server lost it."""
        client = self._cache.get_client(write=True)
        script = self._scripts.get(source)
        if script is None:
            script = self._scripts[source] = client.register_script(source)
        return script(keys=[self.make_key(key) for key in keys], args=args, client=client)
