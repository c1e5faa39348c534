"""The collector settings of our server processes (bankingsystem.process)."""

import gc
import runpy
from pathlib import Path

import pytest

from bankingsystem.process import GC_GEN0_THRESHOLD, collector_tune

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def collector_restored():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_startup_heap_is_frozen_and_young_objects_collected_less_often(collector_restored, monkeypatch):
    monkeypatch.delenv("GC_GEN0_THRESHOLD", raising=False)
    gc.unfreeze()
    older = gc.get_threshold()[1:]
    collector_tune()
    assert gc.get_freeze_count() > 10_000  # Django and the app, loaded by the test run
    assert gc.get_threshold() == (GC_GEN0_THRESHOLD, *older)
    # A cycle made afterwards is still collected: the collector is tuned, not off.
    cycle = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


def test_the_environment_sets_the_threshold(collector_restored, monkeypatch):
    monkeypatch.setenv("GC_GEN0_THRESHOLD", "700")
    collector_tune()
    assert gc.get_threshold()[0] == 700


def test_gunicorn_tunes_each_worker_once_the_app_is_loaded(collector_restored, monkeypatch):
    monkeypatch.delenv("GC_GEN0_THRESHOLD", raising=False)
    gc.unfreeze()
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config["post_worker_init"](None)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD


def test_celery_tunes_each_pool_process(collector_restored, monkeypatch):
    from celery import signals

    monkeypatch.delenv("GC_GEN0_THRESHOLD", raising=False)
    gc.unfreeze()
    signals.worker_process_init.send(sender=None)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD
