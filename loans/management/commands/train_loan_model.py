"""Train the loan default-risk model from the German Credit CSV shipped in the repo."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from loans.ml import registry, training


class Command(BaseCommand):
    help = (
        "Cross-validate six model families on the German Credit data, keep the best by ROC AUC, "
        "choose the cost-minimising threshold and save the model with its card."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output-dir", type=Path, default=None, help="Default: LOAN_MODEL_DIR")
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when a usable model is already there (make run)"
        )
        parser.add_argument("--only", nargs="+", choices=sorted(training.candidates()), help="Compare only these")

    def handle(self, *args, output_dir: Path | None, if_missing: bool, only: list[str] | None, **options) -> None:  # type: ignore[no-untyped-def]
        directory = output_dir or Path(settings.LOAN_MODEL_DIR)
        if if_missing:
            try:
                model = registry.model_load(directory)
            except registry.ModelUnavailable as reason:
                self.stdout.write(f"Training the loan risk model: {reason}")
            else:
                self.stdout.write(f"Loan risk model {model.version} is in place; not retraining.")
                return
        started = time.monotonic()
        verbose = options["verbosity"] > 1

        def progress(message: str) -> None:
            if verbose or not message.startswith("  "):  # per-fold lines only with -v 2
                self.stdout.write(f"[{time.monotonic() - started:5.1f}s] {message}")

        card = training.train(
            output_dir=directory,
            currency_per_dm=str(settings.LOAN_RISK_CURRENCY_PER_DM),
            only=only,
            progress=progress,
        )
        selected = card["selected"]
        style = self.style.SUCCESS if card["meets_target"] else self.style.WARNING
        self.stdout.write(
            style(
                f"{card['model_version']}: ROC AUC {selected['roc_auc_mean']:.3f} (target {card['target_roc_auc']}), "
                f"threshold {card['threshold']:.3f}, cost {selected['cost_per_applicant']:.3f}/applicant; "
                f"card: {directory / training.CARD_MARKDOWN}"
            )
        )
