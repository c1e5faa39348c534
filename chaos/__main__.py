"""python -m chaos [--duration S] [--clients N] ...: run the bank workload, print the summary,
exit 1 if any anomaly was found."""

from __future__ import annotations

import argparse
import os
import sys

import django


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("--duration", type=float, default=180, help="seconds of traffic under faults")
    parser.add_argument("--clients", type=int, default=12, help="concurrent writing clients")
    parser.add_argument("--readers", type=int, default=4, help="concurrent reading clients")
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    # The workload itself only needs the project importable (its helpers); the bank runs
    # as separate processes against its own throwaway PostgreSQL and Redis.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankingsystem.settings")
    os.environ.setdefault("SECRET_KEY", "chaos-runner-only")
    django.setup()
    from chaos.workload import run

    summary = run(duration=args.duration, clients=args.clients, readers=args.readers, customers=args.customers,
                  workers=args.workers, seed=args.seed)  # fmt: skip
    print(summary.text())
    return 1 if summary.anomalies else 0


if __name__ == "__main__":
    sys.exit(main())
