"""The bank workload under faults: `make chaos` (see workload.py and README, "Reliability")."""
