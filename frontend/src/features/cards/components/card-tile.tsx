import { useState, type FormEvent } from 'react';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { CardIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { Alert } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';
import { maskAccountNumber } from '@/lib/format';
import { currencySymbol, parseAmountInput } from '@/lib/money';

import {
  BLOCK_REASONS,
  CARD_STATUS,
  useActivateCard,
  useBlockCard,
  useCardLimit,
  useUnblockCard,
  type BlockReason,
  type Card,
} from '../api/cards';

type Dialogs = null | 'activate' | 'block' | 'unblock' | 'limit';

/** One debit card: masked number, status, limit, and what can be done with it now. */
export function CardTile({ card, currency }: { card: Card; currency: string }) {
  const [open, setOpen] = useState<Dialogs>(null);
  const status = CARD_STATUS[card.status ?? 'issued'];
  const expiry = `${String(card.expiry_month).padStart(2, '0')}/${String(card.expiry_year).slice(-2)}`;
  const temporaryBlock = card.status === 'blocked' && card.block_reason === 'temporary';
  return (
    <article className="card bank-card" aria-label={`Card ${card.masked_number}`}>
      <div className="spread">
        <CardIcon width={28} height={28} />
        <Badge tone={status.tone}>{status.label}</Badge>
      </div>
      <div className="bank-card-number tabular">{card.masked_number}</div>
      <div className="spread tx-sub">
        <span>Expires {expiry}</span>
        <span>Account {maskAccountNumber(card.account)}</span>
      </div>
      <div className="tx-sub">
        Daily limit <Amount value={card.daily_limit} currency={currency} />
        {card.status === 'blocked' && card.block_reason && ` · ${BLOCK_REASONS[card.block_reason as BlockReason] ?? card.block_reason}`}
      </div>
      <div className="row" style={{ gap: '0.5rem', flexWrap: 'wrap' }}>
        {card.status === 'issued' && (
          <Button size="sm" onClick={() => setOpen('activate')}>
            Activate
          </Button>
        )}
        {card.status === 'active' && (
          <>
            <Button size="sm" variant="secondary" onClick={() => setOpen('limit')}>
              Change limit
            </Button>
            <Button size="sm" variant="danger" onClick={() => setOpen('block')}>
              Block
            </Button>
          </>
        )}
        {temporaryBlock && (
          <Button size="sm" onClick={() => setOpen('unblock')}>
            Unblock
          </Button>
        )}
      </div>
      {open === 'activate' && <ActivateDialog card={card} onClose={() => setOpen(null)} />}
      {open === 'block' && <BlockDialog card={card} onClose={() => setOpen(null)} />}
      {open === 'unblock' && <UnblockDialog card={card} onClose={() => setOpen(null)} />}
      {open === 'limit' && <LimitDialog card={card} currency={currency} onClose={() => setOpen(null)} />}
    </article>
  );
}

function ActivateDialog({ card, onClose }: { card: Card; onClose: () => void }) {
  const activate = useActivateCard();
  const notify = useToast();
  const [last4, setLast4] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    activate.mutate(
      { id: card.id, last4: last4.trim() },
      {
        onSuccess: () => {
          notify('Card activated');
          onClose();
        },
      },
    );
  };
  return (
    <Dialog open title="Activate your card" onClose={onClose} busy={activate.isPending}>
      <form className="stack" onSubmit={submit}>
        <p>Type the last four digits printed on the card you received.</p>
        {activate.error && <Alert>{errorMessage(activate.error)}</Alert>}
        <Field label="Last four digits">
          <input className="input otp-input" inputMode="numeric" maxLength={4} value={last4} onChange={(e) => setLast4(e.target.value)} data-autofocus />
        </Field>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={activate.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={activate.isPending}>
            Activate
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function BlockDialog({ card, onClose }: { card: Card; onClose: () => void }) {
  const block = useBlockCard();
  const notify = useToast();
  const [reason, setReason] = useState<BlockReason>('temporary');
  return (
    <ConfirmDialog
      open
      title={`Block card ${card.masked_number}?`}
      confirmLabel="Block card"
      danger
      busy={block.isPending}
      error={block.error}
      onClose={onClose}
      onConfirm={() =>
        block.mutate(
          { id: card.id, reason },
          {
            onSuccess: () => {
              notify('Card blocked');
              onClose();
            },
          },
        )
      }
    >
      <Field label="Why">
        <select className="input" value={reason} onChange={(e) => setReason(e.target.value as BlockReason)}>
          {(['temporary', 'lost', 'stolen', 'damaged'] as const).map((value) => (
            <option key={value} value={value}>
              {BLOCK_REASONS[value]}
            </option>
          ))}
        </select>
      </Field>
      <p className="tx-sub">
        {reason === 'temporary'
          ? 'Payments are refused until you unblock it.'
          : 'This is final: the card cannot be used again. Ask for a replacement in Support or at a branch.'}
      </p>
    </ConfirmDialog>
  );
}

function UnblockDialog({ card, onClose }: { card: Card; onClose: () => void }) {
  const unblock = useUnblockCard();
  const notify = useToast();
  return (
    <ConfirmDialog
      open
      title={`Unblock card ${card.masked_number}?`}
      confirmLabel="Unblock"
      busy={unblock.isPending}
      error={unblock.error}
      onClose={onClose}
      onConfirm={() =>
        unblock.mutate(card.id, {
          onSuccess: () => {
            notify('Card unblocked');
            onClose();
          },
        })
      }
    >
      <p>Payments with this card work again at once.</p>
    </ConfirmDialog>
  );
}

function LimitDialog({ card, currency, onClose }: { card: Card; currency: string; onClose: () => void }) {
  const limit = useCardLimit();
  const notify = useToast();
  const [value, setValue] = useState(card.daily_limit);
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const amount = parseAmountInput(value, currency);
    if (amount === null) {
      setInvalid('Enter an amount, e.g. 25,000');
      return;
    }
    setInvalid(null);
    limit.mutate(
      { id: card.id, daily_limit: amount },
      {
        onSuccess: () => {
          notify('Daily limit changed');
          onClose();
        },
      },
    );
  };
  return (
    <Dialog open title="Daily card limit" onClose={onClose} busy={limit.isPending}>
      <form className="stack" onSubmit={submit} noValidate>
        {limit.error && <Alert>{errorMessage(limit.error)}</Alert>}
        <Field label="Daily limit" prefix={currencySymbol(currency)} error={invalid ?? undefined} hint="Card payments and cash per day">
          <input className="input" inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} data-autofocus />
        </Field>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={limit.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={limit.isPending}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
