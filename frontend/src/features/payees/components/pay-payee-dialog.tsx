import { useRef, useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { useStepUpPrompt } from '@/components/ui/step-up-field';
import { Alert } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';
import { formatAccountNumber } from '@/lib/format';
import { newIdempotencyKey } from '@/lib/idempotency';
import { compareAmounts, currencySymbol, formatMoney, parseAmountInput } from '@/lib/money';

import { usePayPayee, type Payee } from '../api/payees';

export type SourceAccount = { number: string; label: string; currency: string };

/**
 * Pay a saved payee. The Idempotency-Key belongs to one intended payment (this amount, from
 * this account): reused by every retry of it, renewed when either changes.
 */
export function PayPayeeDialog({ payee, accounts, onClose }: { payee: Payee; accounts: SourceAccount[]; onClose: () => void }) {
  const pay = usePayPayee();
  const stepUp = useStepUpPrompt();
  const notify = useToast();
  const key = useRef(newIdempotencyKey());
  const inFlight = useRef(false);
  const [source, setSource] = useState(accounts[0]?.number ?? '');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const currency = accounts.find((a) => a.number === source)?.currency ?? 'INR';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current) return;
    const value = parseAmountInput(amount, currency);
    if (value === null || compareAmounts(value, '0', currency) <= 0) {
      setInvalid('Enter an amount, e.g. 1,500');
      return;
    }
    setInvalid(null);
    inFlight.current = true;
    try {
      const receipt = await pay.mutateAsync({
        id: payee.id,
        input: { source_account: source, amount: value, description: note.trim() },
        idempotencyKey: key.current,
        stepUp: stepUp.proof,
      });
      notify(`Sent ${formatMoney(receipt.amount, receipt.currency)} to ${payee.name} (${receipt.reference})`);
      onClose();
    } catch (error) {
      stepUp.ask(error);
    } finally {
      inFlight.current = false;
    }
  };
  const renew = () => {
    key.current = newIdempotencyKey();
    stepUp.reset();
  };

  return (
    <Dialog open title={`Pay ${payee.nickname || payee.name}`} onClose={onClose} busy={pay.isPending}>
      <form className="stack" onSubmit={submit} noValidate>
        <p className="tx-sub tabular">
          {payee.name} · {formatAccountNumber(payee.account_number)}
        </p>
        {pay.error && !stepUp.field && <Alert>{errorMessage(pay.error)}</Alert>}
        <Field label="From">
          <select
            className="input"
            value={source}
            onChange={(e) => {
              setSource(e.target.value);
              renew();
            }}
          >
            {accounts.map((a) => (
              <option key={a.number} value={a.number}>
                {a.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Amount" prefix={currencySymbol(currency)} error={invalid ?? undefined}>
          <input
            className="input"
            inputMode="decimal"
            value={amount}
            onChange={(e) => {
              setAmount(e.target.value);
              renew();
            }}
            data-autofocus
          />
        </Field>
        <Field label="Note (optional)">
          <input className="input" value={note} maxLength={140} onChange={(e) => setNote(e.target.value)} />
        </Field>
        {stepUp.field}
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={pay.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={pay.isPending}>
            Pay {parseAmountInput(amount, currency) ? formatMoney(parseAmountInput(amount, currency)!, currency) : ''}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
