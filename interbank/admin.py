from django.contrib import admin

from bankingsystem.admin import ReadOnlyAdmin

from .models import BranchTransfer, InboxEvent, InterbankTransfer, OutboxEvent, PreparedBranchTransfer


@admin.register(InterbankTransfer)
class InterbankTransferAdmin(ReadOnlyAdmin):
    list_display = ["transfer_id", "direction", "status", "our_account_number", "counterparty_bank", "amount"]
    list_filter = ["direction", "status", "counterparty_bank"]
    search_fields = ["transfer_id", "our_account_number", "counterparty_account"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "kind", "stream", "created_at", "published_at"]
    list_filter = ["kind", "stream"]
    search_fields = ["event_id"]


@admin.register(InboxEvent)
class InboxEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "kind", "stream", "received_at"]
    list_filter = ["kind"]
    search_fields = ["event_id"]


@admin.register(BranchTransfer)
class BranchTransferAdmin(ReadOnlyAdmin):
    list_display = ["gid", "state", "participant_node", "destination_number", "amount", "created_at"]
    list_filter = ["state", "participant_node"]
    search_fields = ["gid", "destination_number", "source__number"]


@admin.register(PreparedBranchTransfer)
class PreparedBranchTransferAdmin(ReadOnlyAdmin):
    list_display = ["gid", "coordinator_node", "account", "amount", "created_at"]
    list_filter = ["coordinator_node"]
    search_fields = ["gid", "account__number"]
