import { useState } from 'react';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHead, PageHead } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { PlusIcon, RepeatIcon, UsersIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { currencyOf, useAccounts } from '@/features/accounts/api/accounts';
import { accountLabel } from '@/features/accounts/components/account-badges';
import {
  useCancelStandingOrder,
  usePayees,
  useRemovePayee,
  useStandingOrders,
  type Payee,
  type StandingOrder,
} from '@/features/payees/api/payees';
import { AddPayeeDialog } from '@/features/payees/components/add-payee-dialog';
import { PayPayeeDialog } from '@/features/payees/components/pay-payee-dialog';
import { StandingOrderDialog } from '@/features/payees/components/standing-order-dialog';
import { formatAccountNumber, formatDate, formatDateTime, maskAccountNumber } from '@/lib/format';

const ORDER_STATUS = { active: 'success', cancelled: 'neutral', completed: 'info' } as const;
const RUN_STATUS = { posted: 'success', retrying: 'warn', failed: 'danger', skipped: 'neutral' } as const;

export function PayeesRoute() {
  const payees = usePayees();
  const orders = useStandingOrders();
  const accounts = useAccounts();
  const remove = useRemovePayee();
  const cancel = useCancelStandingOrder();
  const notify = useToast();
  const [adding, setAdding] = useState(false);
  const [creatingOrder, setCreatingOrder] = useState(false);
  const [paying, setPaying] = useState<Payee | null>(null);
  const [removing, setRemoving] = useState<Payee | null>(null);
  const [cancelling, setCancelling] = useState<StandingOrder | null>(null);
  const sources = (accounts.data ?? [])
    .filter((a) => a.status === 'active')
    .map((a) => ({ number: a.number, label: `${accountLabel(a)} ${maskAccountNumber(a.number)}`, currency: currencyOf(a) }));
  const currencyFor = (number: string) => sources.find((a) => a.number === number)?.currency ?? 'INR';
  const payeeName = (order: StandingOrder) => {
    const payee = payees.data?.find((p) => p.id === order.beneficiary);
    return payee ? payee.nickname || payee.name : maskAccountNumber(order.destination_account);
  };

  return (
    <>
      <PageHead
        title="Payees and standing orders"
        subtitle="People you pay often, and payments that repeat."
        action={
          <Button onClick={() => setAdding(true)}>
            <PlusIcon width={18} height={18} /> Add payee
          </Button>
        }
      />
      <div className="grid grid-2">
        <Card aria-labelledby="payees-title">
          <CardHead id="payees-title" title="Payees" />
          {payees.isPending ? (
            <LoadingRows rows={3} />
          ) : payees.error ? (
            <ErrorState error={payees.error} onRetry={() => payees.refetch()} />
          ) : payees.data.length === 0 ? (
            <EmptyState title="No payees yet" icon={<UsersIcon />}>
              Add someone you pay often: next time it is two taps.
            </EmptyState>
          ) : (
            <ul className="tx-list" aria-label="Payees">
              {payees.data.map((payee) => {
                const cooling = payee.cooling_off_until && new Date(payee.cooling_off_until) > new Date();
                return (
                  <li key={payee.id} className="tx">
                    <span className="tx-icon">
                      <UsersIcon />
                    </span>
                    <div style={{ minWidth: 0 }}>
                      <div className="tx-title">{payee.nickname || payee.name}</div>
                      <div className="tx-sub tabular">
                        {payee.name} · {formatAccountNumber(payee.account_number)}
                        {!payee.is_own_bank && ' · other bank'}
                      </div>
                      {cooling && (
                        <div className="tx-sub">New payee: payments capped until {formatDateTime(payee.cooling_off_until!)}</div>
                      )}
                    </div>
                    <div className="row" style={{ gap: '0.35rem' }}>
                      <Button size="sm" onClick={() => setPaying(payee)} disabled={!sources.length} aria-label={`Pay ${payee.nickname || payee.name}`}>
                        Pay
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => setRemoving(payee)}
                        aria-label={`Remove ${payee.nickname || payee.name}`}
                      >
                        Remove
                      </Button>
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
        <Card aria-labelledby="orders-title">
          <CardHead
            id="orders-title"
            title="Standing orders"
            action={
              <Button
                variant="secondary"
                size="sm"
                onClick={() => setCreatingOrder(true)}
                disabled={!payees.data?.length || !sources.length}
              >
                New standing order
              </Button>
            }
          />
          {orders.isPending ? (
            <LoadingRows rows={3} />
          ) : orders.error ? (
            <ErrorState error={orders.error} onRetry={() => orders.refetch()} />
          ) : orders.data.length === 0 ? (
            <EmptyState title="No standing orders" icon={<RepeatIcon />}>
              Rent, SIPs, pocket money: set them up once.
            </EmptyState>
          ) : (
            <ul className="tx-list" aria-label="Standing orders">
              {orders.data.map((order) => {
                const lastRun = order.runs[0];
                return (
                  <li key={order.id} className="tx">
                    <span className="tx-icon">
                      <RepeatIcon />
                    </span>
                    <div style={{ minWidth: 0 }}>
                      <div className="tx-title">
                        {payeeName(order)}
                        {order.description ? ` · ${order.description}` : ''}
                      </div>
                      <div className="tx-sub">
                        {order.frequency === 'monthly' ? `Monthly on day ${order.day_of_month}` : 'Weekly'} from{' '}
                        {maskAccountNumber(order.source_account)}
                        {order.status === 'active' && order.next_due_date && ` · next ${formatDate(order.next_due_date)}`}
                      </div>
                      {lastRun && (
                        <div className="tx-sub">
                          Last: {formatDate(lastRun.due_date)}{' '}
                          <Badge tone={RUN_STATUS[lastRun.status]}>{lastRun.status}</Badge>
                          {lastRun.failure_detail && ` ${lastRun.failure_detail}`}
                        </div>
                      )}
                    </div>
                    <div className="tx-amount">
                      <Amount value={order.amount} currency={currencyFor(order.source_account)} />
                      <div>
                        <Badge tone={ORDER_STATUS[order.status ?? 'active']}>{order.status}</Badge>
                      </div>
                      {order.status === 'active' && (
                        <Button size="sm" variant="ghost" onClick={() => setCancelling(order)} aria-label={`Cancel standing order to ${payeeName(order)}`}>
                          Cancel
                        </Button>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
      </div>
      {adding && <AddPayeeDialog onClose={() => setAdding(false)} />}
      {paying && <PayPayeeDialog payee={paying} accounts={sources} onClose={() => setPaying(null)} />}
      {creatingOrder && payees.data && (
        <StandingOrderDialog payees={payees.data} accounts={sources} onClose={() => setCreatingOrder(false)} />
      )}
      <ConfirmDialog
        open={!!removing}
        title="Remove this payee?"
        confirmLabel="Remove"
        danger
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.id, {
            onSuccess: () => {
              notify(`${removing.name} removed`);
              setRemoving(null);
            },
          })
        }
      >
        <p>
          {removing?.name} will no longer be listed. Adding them again starts a new cooling-off period.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={!!cancelling}
        title="Cancel this standing order?"
        confirmLabel="Cancel standing order"
        danger
        busy={cancel.isPending}
        error={cancel.error}
        onClose={() => {
          cancel.reset();
          setCancelling(null);
        }}
        onConfirm={() =>
          cancelling &&
          cancel.mutate(cancelling.id, {
            onSuccess: () => {
              notify('Standing order cancelled');
              setCancelling(null);
            },
          })
        }
      >
        <p>No further payments will be made. Payments already made stay made.</p>
      </ConfirmDialog>
    </>
  );
}
