import { useRef, useState } from 'react';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Alert } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';
import { newIdempotencyKey } from '@/lib/idempotency';
import { compareAmounts, currencySymbol, formatMoney, parseAmountInput } from '@/lib/money';

import { useRepayLoan, type Loan } from '../api/loans';

type Props = { loan: Loan; payoff: boolean; onClose: () => void };

/**
 * One repayment (or the payoff, which closes the loan). The Idempotency-Key is made when the
 * dialog opens and reused by every retry, so a double click or a retry pays once.
 */
export function RepayDialog({ loan, payoff, onClose }: Props) {
  const key = useRef(newIdempotencyKey());
  const repay = useRepayLoan();
  const notify = useToast();
  const inFlight = useRef(false);
  const [amount, setAmount] = useState(loan.emi ?? '');
  const [invalid, setInvalid] = useState<string | null>(null);
  const currency = loan.currency;

  const pay = async () => {
    if (inFlight.current) return;
    let value: string | null = null;
    if (!payoff) {
      value = parseAmountInput(amount, currency);
      if (value === null || compareAmounts(value, '0', currency) <= 0) {
        setInvalid('Enter an amount, e.g. 5,000');
        return;
      }
      setInvalid(null);
    }
    inFlight.current = true;
    try {
      const repayment = await repay.mutateAsync({ id: loan.id, amount: value, idempotencyKey: key.current });
      notify(payoff ? 'Loan paid off and closed' : `Paid ${formatMoney(repayment.amount, currency)}`);
      onClose();
    } catch {
      // shown below from repay.error
    } finally {
      inFlight.current = false;
    }
  };

  return (
    <Dialog open title={payoff ? 'Pay off this loan' : 'Repay'} onClose={onClose} busy={repay.isPending}>
      <div className="stack">
        {payoff ? (
          <>
            <p className="big-amount tabular">{formatMoney(loan.payoff_amount ?? '0', currency)}</p>
            <p>Everything owed today is paid from account {loan.account} and the loan closes.</p>
          </>
        ) : (
          <>
            <Field
              label="Amount"
              prefix={currencySymbol(currency)}
              error={invalid ?? undefined}
              hint={`Monthly instalment ${formatMoney(loan.emi ?? '0', currency)}; more pays down the principal.`}
            >
              <input
                className="input"
                inputMode="decimal"
                value={amount}
                onChange={(e) => {
                  setAmount(e.target.value);
                  // A different amount is a different payment: a fresh key.
                  key.current = newIdempotencyKey();
                }}
                data-autofocus
              />
            </Field>
            <p className="tx-sub">Paid from account {loan.account}.</p>
          </>
        )}
        {repay.error && <Alert>{errorMessage(repay.error)}</Alert>}
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={repay.isPending}>
            Cancel
          </Button>
          <Button onClick={pay} loading={repay.isPending}>
            {payoff ? 'Pay off and close' : 'Pay now'}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
