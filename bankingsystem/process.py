"""Settings for our long-running server processes: gunicorn's workers, Celery's worker
processes, and the bench's service-layer workers, which stand in for them."""

import gc
import os

GC_GEN0_THRESHOLD = 50_000


def collector_tune() -> None:
    """Keep Python's cyclic garbage collector off the heap a process starts with, and run it
    less often.

    A worker holds about 170,000 objects once Django and the app are loaded, and every
    full collection walked them all: a 1,000-transfer batch allocates enough to set one off
    every two or three requests, and the collector took 45 ms of a batch's 126 ms of CPU in
    the web process (gc.callbacks, in-process loop of 10 batches). Frozen after a first
    collection (gc.freeze), that heap is never walked again; and with the youngest
    generation collected every GC_GEN0_THRESHOLD allocations instead of 700, a request's
    short-lived cycles are still freed within a few requests, for a few MB at most. Together:
    45 -> 0-8 ms of collection and 126 -> 64 ms of CPU per batch. GC_GEN0_THRESHOLD in the
    environment overrides the threshold (700 is Python's own)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(int(os.environ.get("GC_GEN0_THRESHOLD") or GC_GEN0_THRESHOLD), older, oldest)
