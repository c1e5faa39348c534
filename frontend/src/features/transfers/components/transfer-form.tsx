import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useMemo } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { formatAccountNumber, isValidAccountNumber, maskAccountNumber } from '@/lib/format';
import { compareAmounts, currencySymbol, formatMoney, parseAmountInput } from '@/lib/money';

/** What the form needs to know about the customer's own accounts. */
export type PayingAccount = {
  number: string;
  label: string;
  currency: string;
  available: string;
  canPay: boolean;
};

export type TransferDraft = {
  source_account: string;
  destination_account: string;
  amount: string;
  description: string;
  toOwn: boolean;
};

function makeSchema(accounts: PayingAccount[]) {
  return z
    .object({
      source_account: z.string().min(1, 'Choose the account to pay from'),
      mode: z.enum(['own', 'other']),
      own_destination: z.string(),
      other_destination: z.string(),
      amount: z.string().trim().min(1, 'Enter an amount'),
      description: z.string().trim().max(140, 'At most 140 characters'),
    })
    .superRefine((values, ctx) => {
      const source = accounts.find((a) => a.number === values.source_account);
      const destination = values.mode === 'own' ? values.own_destination : values.other_destination.replace(/\s/g, '');
      if (values.mode === 'own' && !destination) {
        ctx.addIssue({ code: 'custom', path: ['own_destination'], message: 'Choose the account to pay into' });
      }
      if (values.mode === 'other' && !isValidAccountNumber(destination)) {
        ctx.addIssue({
          code: 'custom',
          path: ['other_destination'],
          message: 'Enter the 16-digit account number (it includes a check digit)',
        });
      }
      if (destination && destination === values.source_account) {
        ctx.addIssue({ code: 'custom', path: ['own_destination'], message: 'Pick a different account' });
      }
      const currency = source?.currency ?? 'INR';
      const amount = parseAmountInput(values.amount, currency);
      if (values.amount && amount === null) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: 'An amount like 500 or 1250.50' });
      } else if (amount && compareAmounts(amount, '0', currency) <= 0) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: 'The amount must be more than zero' });
      } else if (amount && source && compareAmounts(amount, source.available, currency) > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['amount'],
          message: `More than the ${formatMoney(source.available, currency)} available`,
        });
      }
    });
}

type Values = z.infer<ReturnType<typeof makeSchema>>;

type Props = {
  accounts: PayingAccount[];
  initial?: Partial<TransferDraft>;
  onReview: (draft: TransferDraft) => void;
};

/** The transfer form. It only checks and hands over a draft: paying happens after confirmation. */
export function TransferForm({ accounts, initial, onReview }: Props) {
  const schema = useMemo(() => makeSchema(accounts), [accounts]);
  const payable = accounts.filter((a) => a.canPay);
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      source_account: initial?.source_account ?? payable[0]?.number ?? '',
      mode: initial?.toOwn && accounts.length > 1 ? 'own' : 'other',
      own_destination: initial?.toOwn ? (initial.destination_account ?? '') : '',
      other_destination: initial?.toOwn === false ? (initial.destination_account ?? '') : '',
      amount: initial?.amount ?? '',
      description: initial?.description ?? '',
    },
  });
  const { errors } = form.formState;
  const mode = form.watch('mode');
  const sourceNumber = form.watch('source_account');
  const source = accounts.find((a) => a.number === sourceNumber);
  const ownTargets = accounts.filter((a) => a.number !== sourceNumber);

  useEffect(() => {
    if (form.getValues('own_destination') === sourceNumber) form.setValue('own_destination', '');
  }, [form, sourceNumber]);

  const submit = form.handleSubmit((values) => {
    const currency = source?.currency ?? 'INR';
    onReview({
      source_account: values.source_account,
      destination_account: values.mode === 'own' ? values.own_destination : values.other_destination.replace(/\s/g, ''),
      amount: parseAmountInput(values.amount, currency) ?? values.amount,
      description: values.description,
      toOwn: values.mode === 'own',
    });
  });

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Transfer money">
      <Field
        label="From"
        error={errors.source_account?.message}
        hint={source && `Available ${formatMoney(source.available, source.currency)}`}
      >
        <select className="input" {...form.register('source_account')}>
          {payable.map((a) => (
            <option key={a.number} value={a.number}>
              {a.label} {maskAccountNumber(a.number)}
            </option>
          ))}
        </select>
      </Field>

      <div className="field">
        <span className="label" id="to-label">
          To
        </span>
        <div className="segmented" role="group" aria-labelledby="to-label">
          <button
            type="button"
            aria-pressed={mode === 'own'}
            disabled={ownTargets.length === 0}
            onClick={() => form.setValue('mode', 'own')}
          >
            My accounts
          </button>
          <button type="button" aria-pressed={mode === 'other'} onClick={() => form.setValue('mode', 'other')}>
            Someone else
          </button>
        </div>
      </div>

      {mode === 'own' ? (
        <Field label="Pay into" error={errors.own_destination?.message}>
          <select className="input" {...form.register('own_destination')}>
            <option value="">Choose one of your accounts…</option>
            {ownTargets.map((a) => (
              <option key={a.number} value={a.number}>
                {a.label} {maskAccountNumber(a.number)}
              </option>
            ))}
          </select>
        </Field>
      ) : (
        <Field
          label="Recipient's account number"
          error={errors.other_destination?.message}
          hint="16 digits, as on their cheque book or statement"
        >
          <input
            className="input tabular"
            inputMode="numeric"
            autoComplete="off"
            placeholder="1010 0010 0000 0000"
            {...form.register('other_destination', {
              onBlur: (e) => {
                const digits = e.target.value.replace(/\s/g, '');
                if (/^\d{16}$/.test(digits)) form.setValue('other_destination', formatAccountNumber(digits));
              },
            })}
          />
        </Field>
      )}

      <Field label="Amount" error={errors.amount?.message} prefix={currencySymbol(source?.currency ?? 'INR')}>
        <input className="input tabular" inputMode="decimal" placeholder="0.00" {...form.register('amount')} />
      </Field>

      <Field label="Note (optional)" error={errors.description?.message} hint="Shown in both statements">
        <input className="input" maxLength={140} {...form.register('description')} />
      </Field>

      <Button type="submit" block>
        Review transfer
      </Button>
    </form>
  );
}
