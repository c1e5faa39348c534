"""Another name for `train_loan_model`."""

from .train_loan_model import Command as TrainLoanModel


class Command(TrainLoanModel):
    pass
