"""Where an account lives, from its number alone: the routing code (bank code 3 digits +
branch code 4, accounts.numbers) names the bank and the branch; the directory in settings
names the node that holds a branch of ours (BRANCH_NODES, NODE_PEERS) and the banks we
exchange transfers with (INTERBANK_BANKS)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from accounts.numbers import account_number_is_valid, routing_code_of
from bankingsystem.errors import ApplicationError


class Where(StrEnum):
    HERE = "here"  # this node holds the account
    BRANCH_NODE = "branch_node"  # another node of our bank: two-phase commit
    OTHER_BANK = "other_bank"  # another bank: the broker


@dataclass(frozen=True)
class Route:
    where: Where
    bank_code: str
    branch_code: str
    node: str = ""  # for BRANCH_NODE

    @property
    def peer_url(self) -> str:
        return settings.NODE_PEERS[self.node].rstrip("/")


def route_of(number: str, *, field: str = "destination_account") -> Route:
    if not account_number_is_valid(number):
        raise ApplicationError(
            "account_number_invalid", f"{number!r} is not a valid account number.", status=400, field=field
        )
    routing = routing_code_of(number)
    bank, branch = routing[:3], routing[3:]
    if bank != settings.BANK_CODE:
        if bank not in settings.INTERBANK_BANKS:
            raise ApplicationError("bank_unknown", f"Bank {bank} is not one we exchange transfers with.", field=field)
        return Route(Where.OTHER_BANK, bank, branch)
    node = settings.BRANCH_NODES.get(branch, settings.NODE_CODE)
    if node == settings.NODE_CODE:
        return Route(Where.HERE, bank, branch)
    if node not in settings.NODE_PEERS:
        raise ApplicationError(
            "node_unknown", f"Branch {branch} is held by node {node}, which has no address.", field=field
        )
    return Route(Where.BRANCH_NODE, bank, branch, node)


def stream_of(bank_code: str) -> str:
    """The stream a bank reads its incoming events from."""
    return f"{settings.INTERBANK_STREAM_PREFIX}{bank_code}"


def consumer_group() -> str:
    return f"bank-{settings.BANK_CODE}"
