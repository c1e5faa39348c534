import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Alert } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { ApiError, errorMessage } from '@/lib/api/problem';
import { localDay } from '@/lib/format';
import { compareAmounts, currencySymbol, parseAmountInput } from '@/lib/money';

import { useCreateStandingOrder, type Payee } from '../api/payees';
import type { SourceAccount } from './pay-payee-dialog';

const schema = z
  .object({
    source_account: z.string().min(1, 'Choose an account'),
    beneficiary: z.string().min(1, 'Choose a payee'),
    amount: z
      .string()
      .trim()
      .refine((v) => {
        const value = parseAmountInput(v, 'INR');
        return value !== null && compareAmounts(value, '0', 'INR') > 0;
      }, 'Enter an amount, e.g. 15,000'),
    frequency: z.enum(['monthly', 'weekly']),
    day_of_month: z.string(),
    start_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose the first date'),
    end_date: z.string(),
    description: z.string().trim().max(140, 'At most 140 characters'),
  })
  .refine((v) => v.frequency === 'weekly' || /^([1-9]|1\d|2[0-8])$/.test(v.day_of_month), {
    path: ['day_of_month'],
    message: 'A day from 1 to 28',
  })
  .refine((v) => !v.end_date || v.end_date >= v.start_date, { path: ['end_date'], message: 'After the first date' });
type Values = z.infer<typeof schema>;

type Props = { payees: Payee[]; accounts: SourceAccount[]; onClose: () => void };

/** A recurring payment to a saved payee, run by the bank on each due date. */
export function StandingOrderDialog({ payees, accounts, onClose }: Props) {
  const create = useCreateStandingOrder();
  const notify = useToast();
  const tomorrow = localDay(new Date(Date.now() + 86_400_000));
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      source_account: accounts[0]?.number ?? '',
      beneficiary: payees[0] ? String(payees[0].id) : '',
      amount: '',
      frequency: 'monthly',
      day_of_month: String(Math.min(Number(tomorrow.slice(8)), 28)),
      start_date: tomorrow,
      end_date: '',
      description: '',
    },
  });
  const { errors } = form.formState;
  const monthly = form.watch('frequency') === 'monthly';
  const currency = accounts.find((a) => a.number === form.watch('source_account'))?.currency ?? 'INR';

  const submit = form.handleSubmit(async (values) => {
    try {
      await create.mutateAsync({
        source_account: values.source_account,
        beneficiary: Number(values.beneficiary),
        amount: parseAmountInput(values.amount, currency)!,
        frequency: values.frequency,
        ...(values.frequency === 'monthly' ? { day_of_month: Number(values.day_of_month) } : {}),
        start_date: values.start_date,
        ...(values.end_date ? { end_date: values.end_date } : {}),
        description: values.description,
      });
      notify('Standing order set up');
      onClose();
    } catch (error) {
      if (error instanceof ApiError) {
        for (const [field, message] of Object.entries(error.fieldErrors)) {
          if (field in form.getValues()) form.setError(field as keyof Values, { message });
        }
      }
    }
  });

  return (
    <Dialog open title="New standing order" onClose={onClose} busy={create.isPending}>
      <form className="stack" onSubmit={submit} noValidate>
        {create.error && <Alert>{errorMessage(create.error)}</Alert>}
        <Field label="From" error={errors.source_account?.message}>
          <select className="input" data-autofocus {...form.register('source_account')}>
            {accounts.map((a) => (
              <option key={a.number} value={a.number}>
                {a.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="To" error={errors.beneficiary?.message}>
          <select className="input" {...form.register('beneficiary')}>
            {payees.map((p) => (
              <option key={p.id} value={p.id}>
                {p.nickname || p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Amount" prefix={currencySymbol(currency)} error={errors.amount?.message}>
          <input className="input" inputMode="decimal" {...form.register('amount')} />
        </Field>
        <div className="form-grid">
          <Field label="How often" error={errors.frequency?.message}>
            <select className="input" {...form.register('frequency')}>
              <option value="monthly">Every month</option>
              <option value="weekly">Every week</option>
            </select>
          </Field>
          {monthly && (
            <Field label="Day of the month" error={errors.day_of_month?.message} hint="1 to 28">
              <input className="input" inputMode="numeric" {...form.register('day_of_month')} />
            </Field>
          )}
          <Field label="First payment" error={errors.start_date?.message}>
            <input className="input" type="date" min={tomorrow} {...form.register('start_date')} />
          </Field>
          <Field label="Last payment (optional)" error={errors.end_date?.message}>
            <input className="input" type="date" {...form.register('end_date')} />
          </Field>
        </div>
        <Field label="Note (optional)" error={errors.description?.message} hint="e.g. Rent">
          <input className="input" {...form.register('description')} />
        </Field>
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Set up
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
