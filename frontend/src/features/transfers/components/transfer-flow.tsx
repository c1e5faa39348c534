import { useRef, useState } from 'react';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { ShieldIcon } from '@/components/ui/icons';
import { Alert } from '@/components/ui/states';
import { Summary } from '@/components/ui/summary';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';
import { formatAccountNumber } from '@/lib/format';
import { newIdempotencyKey } from '@/lib/idempotency';
import { formatMoney } from '@/lib/money';

import { isStepUp, stepUpHeader, useTransfer, type Receipt } from '../api/transfer';
import { TransferForm, type PayingAccount, type TransferDraft } from './transfer-form';
import { TransferReceipt } from './transfer-receipt';

type Props = { accounts: PayingAccount[]; initial?: Partial<TransferDraft> };

/**
 * Form -> confirmation -> receipt. The Idempotency-Key is made when the confirmation opens
 * and kept for every attempt to pay that same draft (double click, retry after an error,
 * a step-up code), so the bank moves the money at most once however often it is asked.
 */
export function TransferFlow({ accounts, initial }: Props) {
  const [draft, setDraft] = useState<TransferDraft | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [formKey, setFormKey] = useState(0);
  const key = useRef<string>('');

  if (receipt) {
    return (
      <TransferReceipt
        receipt={receipt}
        onAnother={() => {
          setReceipt(null);
          setDraft(null);
          setConfirming(false);
          setFormKey((k) => k + 1);
        }}
      />
    );
  }

  return (
    <>
      <TransferForm
        key={formKey}
        accounts={accounts}
        initial={initial}
        onReview={(next) => {
          key.current = newIdempotencyKey();
          setDraft(next);
          setConfirming(true);
        }}
      />
      {draft && confirming && (
        <ConfirmTransfer
          key={key.current}
          draft={draft}
          accounts={accounts}
          idempotencyKey={key.current}
          onCancel={() => setConfirming(false)}
          onPaid={setReceipt}
        />
      )}
    </>
  );
}

function ConfirmTransfer({
  draft,
  accounts,
  idempotencyKey,
  onCancel,
  onPaid,
}: {
  draft: TransferDraft;
  accounts: PayingAccount[];
  idempotencyKey: string;
  onCancel: () => void;
  onPaid: (receipt: Receipt) => void;
}) {
  const [stepUp, setStepUp] = useState<string | null>(null);
  const [proofHeader, setProofHeader] = useState<'X-OTP' | 'X-Transaction-PIN'>('X-OTP');
  const [code, setCode] = useState('');
  const transfer = useTransfer();
  const notify = useToast();
  // A click that lands before React re-renders the disabled button is still one payment.
  const inFlight = useRef(false);
  const source = accounts.find((a) => a.number === draft.source_account);
  const target = accounts.find((a) => a.number === draft.destination_account);
  const currency = source?.currency ?? 'INR';

  const pay = async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      const receipt = await transfer.mutateAsync({
        input: {
          source_account: draft.source_account,
          destination_account: draft.destination_account,
          amount: draft.amount,
          description: draft.description,
        },
        idempotencyKey,
        stepUp: stepUp ? { header: proofHeader, code: code.trim() } : undefined,
      });
      if ('hold' in receipt) {
        // 202: fraud screening held it for review; the money is set aside, not sent.
        notify(`Held for a security review: ${formatMoney(receipt.amount, currency)} set aside, not sent`);
        onCancel();
        return;
      }
      notify(`Sent ${formatMoney(receipt.amount, receipt.currency)}`);
      onPaid(receipt);
    } catch (error) {
      if (isStepUp(error)) {
        setProofHeader(stepUpHeader(error));
        setStepUp(error.message);
      }
    } finally {
      inFlight.current = false;
    }
  };

  const close = onCancel;
  const error = transfer.error && !isStepUp(transfer.error) ? errorMessage(transfer.error) : null;

  return (
    <Dialog open title="Confirm transfer" onClose={close} busy={transfer.isPending}>
      <p className="big-amount tabular">{formatMoney(draft.amount, currency)}</p>
      <Summary
        rows={[
          [
            'From',
            <>
              {source?.label}
              <div className="tx-sub tabular">{formatAccountNumber(draft.source_account)}</div>
            </>,
          ],
          [
            'To',
            <>
              {target ? target.label : 'Another customer'}
              <div className="tx-sub tabular">{formatAccountNumber(draft.destination_account)}</div>
            </>,
          ],
          ['Note', draft.description],
        ]}
      />
      {stepUp && (
        <>
          <div className="alert alert-info">
            <ShieldIcon width={20} height={20} />
            <span>{stepUp}</span>
          </div>
          <Field label="One-time code">
            <input
              className="input otp-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              data-autofocus
            />
          </Field>
        </>
      )}
      {error && <Alert>{error}</Alert>}
      <p className="tx-sub">Money sent to another bank customer arrives at once and cannot be recalled from here.</p>
      <div className="dialog-actions">
        <Button variant="secondary" onClick={close} disabled={transfer.isPending}>
          Edit
        </Button>
        <Button onClick={pay} loading={transfer.isPending} data-autofocus={!stepUp || undefined}>
          {error ? 'Try again' : `Send ${formatMoney(draft.amount, currency)}`}
        </Button>
      </div>
    </Dialog>
  );
}
