import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { KIND_LABELS, maskAccountNumber } from '@/lib/format';
import { isDecimalString } from '@/lib/money';

import type { HistoryFilters } from '../api/transactions';

const amount = z
  .string()
  .trim()
  .refine((v) => v === '' || isDecimalString(v), 'An amount like 500 or 1250.50');

const schema = z
  .object({
    q: z.string().trim().max(100),
    account: z.string(),
    kind: z.string(),
    direction: z.string(),
    date_from: z.string(),
    date_to: z.string(),
    min_amount: amount,
    max_amount: amount,
  })
  .refine((v) => !v.date_from || !v.date_to || v.date_from <= v.date_to, {
    path: ['date_to'],
    message: 'Ends before it starts',
  });

type Values = z.infer<typeof schema>;
const EMPTY: Values = { q: '', account: '', kind: '', direction: '', date_from: '', date_to: '', min_amount: '', max_amount: '' };

type Props = {
  value: HistoryFilters;
  accounts: { number: string; label: string }[];
  onChange: (filters: HistoryFilters) => void;
};

export function HistoryFiltersForm({ value, accounts, onChange }: Props) {
  const form = useForm<Values>({ resolver: zodResolver(schema), values: { ...EMPTY, ...value } });
  const { errors } = form.formState;
  const submit = form.handleSubmit((values) =>
    onChange(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')) as HistoryFilters),
  );
  return (
    <form className="filters" onSubmit={submit} noValidate aria-label="Filter transactions">
      <Field label="Search" className="full">
        <input className="input" type="search" placeholder="Description or reference" {...form.register('q')} />
      </Field>
      <Field label="Account">
        <select className="input" {...form.register('account')}>
          <option value="">All accounts</option>
          {accounts.map((a) => (
            <option key={a.number} value={a.number}>
              {a.label} {maskAccountNumber(a.number)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Type">
        <select className="input" {...form.register('kind')}>
          <option value="">All types</option>
          {Object.entries(KIND_LABELS).map(([kind, label]) => (
            <option key={kind} value={kind}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Direction">
        <select className="input" {...form.register('direction')}>
          <option value="">In and out</option>
          <option value="credit">Money in</option>
          <option value="debit">Money out</option>
        </select>
      </Field>
      <Field label="From date">
        <input className="input" type="date" {...form.register('date_from')} />
      </Field>
      <Field label="To date" error={errors.date_to?.message}>
        <input className="input" type="date" {...form.register('date_to')} />
      </Field>
      <Field label="Min amount" error={errors.min_amount?.message}>
        <input className="input" inputMode="decimal" {...form.register('min_amount')} />
      </Field>
      <Field label="Max amount" error={errors.max_amount?.message}>
        <input className="input" inputMode="decimal" {...form.register('max_amount')} />
      </Field>
      <div className="row">
        <Button type="submit">Apply</Button>
        <Button
          variant="ghost"
          onClick={() => {
            form.reset(EMPTY);
            onChange({});
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}
