"""Generate synthetic activity with injected frauds, train, and print how well we detect."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from risk.evaluation import fraud_evaluate


class Command(BaseCommand):
    help = "Measure the fraud detector on synthetic activity: ROC AUC, precision and recall at the thresholds."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--days", type=int, default=60)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        result = fraud_evaluate(
            customers=options["customers"],
            days=options["days"],
            seed=options["seed"],
            progress=lambda events: tqdm(events, desc="features", unit="transfer", disable=options["verbosity"] == 0),
        )
        self.stdout.write(f"test set: {result.events} transfers, {result.frauds} injected frauds")
        self.stdout.write(f"ROC AUC: {result.roc_auc:.4f}")
        for name, row in result.at_thresholds.items():
            self.stdout.write(
                f"{name} (score >= {row['threshold']}): precision {row['precision']:.3f}, "
                f"recall {row['recall']:.3f}, flagged {row['flagged']}"
            )
        for pattern, recall in result.recall_by_pattern.items():
            self.stdout.write(f"  recall at the suspicious threshold, {pattern}: {recall:.3f}")
