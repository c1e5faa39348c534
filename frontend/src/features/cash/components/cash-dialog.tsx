import { useRef, useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Alert } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';
import { newIdempotencyKey } from '@/lib/idempotency';
import { compareAmounts, currencySymbol, formatMoney, parseAmountInput } from '@/lib/money';

import { useCash } from '../api/cash';

type Props = { kind: 'deposit' | 'withdrawal'; account: string; currency: string; onClose: () => void };

/** Deposit or withdraw: one Idempotency-Key per intended amount, kept across retries. */
export function CashDialog({ kind, account, currency, onClose }: Props) {
  const cash = useCash(kind);
  const notify = useToast();
  const key = useRef(newIdempotencyKey());
  const inFlight = useRef(false);
  const [amount, setAmount] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const deposit = kind === 'deposit';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current) return;
    const value = parseAmountInput(amount, currency);
    if (value === null || compareAmounts(value, '0', currency) <= 0) {
      setInvalid('Enter an amount, e.g. 2,000');
      return;
    }
    setInvalid(null);
    inFlight.current = true;
    try {
      const receipt = await cash.mutateAsync({
        input: { account, amount: value, description: deposit ? 'Cash deposit' : 'Cash withdrawal' },
        idempotencyKey: key.current,
      });
      notify(`${deposit ? 'Deposited' : 'Withdrew'} ${formatMoney(receipt.amount, receipt.currency)}`);
      onClose();
    } catch {
      // shown below
    } finally {
      inFlight.current = false;
    }
  };

  return (
    <Dialog open title={deposit ? 'Deposit cash' : 'Withdraw cash'} onClose={onClose} busy={cash.isPending}>
      <form className="stack" onSubmit={submit} noValidate>
        {cash.error && <Alert>{errorMessage(cash.error)}</Alert>}
        <Field label="Amount" prefix={currencySymbol(currency)} error={invalid ?? undefined}>
          <input
            className="input"
            inputMode="decimal"
            value={amount}
            onChange={(e) => {
              setAmount(e.target.value);
              key.current = newIdempotencyKey();
            }}
            data-autofocus
          />
        </Field>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={cash.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={cash.isPending}>
            {deposit ? 'Deposit' : 'Withdraw'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
