import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Alert } from '@/components/ui/states';
import { Summary } from '@/components/ui/summary';
import { ApiError, errorMessage } from '@/lib/api/problem';
import { formatRate } from '@/lib/format';
import { compareAmounts, currencySymbol, formatMoney, parseAmountInput } from '@/lib/money';

import {
  formatProbability,
  PURPOSES,
  useApplyForLoan,
  usePredictLoan,
  type Loan,
  type LoanApplyInput,
  type LoanPredictInput,
  type LoanProduct,
  type Prediction,
} from '../api/loans';

export type LoanAccount = { number: string; label: string };

const whole = (label: string, min = 0, max = 120) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${label}: whole number`)
    .refine((v) => Number(v) >= min && Number(v) <= max, `${label}: between ${min} and ${max}`);
const money = z
  .string()
  .trim()
  .refine((v) => parseAmountInput(v, 'INR') !== null, 'Enter an amount, e.g. 25,000');

const schema = z.object({
  product: z.string().min(1, 'Choose a loan'),
  account: z.string().min(1, 'Choose the account to pay into'),
  amount: money,
  term_months: whole('Term', 1, 480),
  purpose: z.enum(Object.keys(PURPOSES) as [LoanApplyInput['purpose'], ...LoanApplyInput['purpose'][]]),
  age: whole('Age', 18, 100),
  monthly_income: money,
  employment_years: whole('Years employed', 0, 60),
  job: z.enum(['unemployed_non_resident', 'unskilled', 'skilled', 'management']),
  housing: z.enum(['own', 'rent', 'free']),
  residence_years: whole('Years at address', 0, 80),
  property: z.enum(['real_estate', 'savings_insurance', 'car_or_other', 'none']),
  dependants: whole('Dependants', 0, 20),
  existing_credits: whole('Existing loans', 0, 20),
  credit_history: z.enum(['no_credits', 'all_paid_here', 'existing_paid_duly', 'past_delays', 'critical']),
  other_installment_plans: z.enum(['none', 'bank', 'stores']),
  other_debtors: z.enum(['none', 'co_applicant', 'guarantor']),
  checking_balance: money,
  savings_balance: money,
  has_telephone: z.boolean(),
});
export type LoanFormValues = z.infer<typeof schema>;

const CHOICES = {
  job: { skilled: 'Skilled employee', management: 'Management / self-employed', unskilled: 'Unskilled', unemployed_non_resident: 'Unemployed' },
  housing: { own: 'I own my home', rent: 'I rent', free: 'Live rent-free' },
  property: { real_estate: 'Real estate', savings_insurance: 'Savings / life insurance', car_or_other: 'Car or other', none: 'None' },
  credit_history: {
    existing_paid_duly: 'Existing loans paid on time',
    all_paid_here: 'All loans here paid back',
    no_credits: 'No loans before',
    past_delays: 'Some late payments',
    critical: 'Serious arrears',
  },
  other_installment_plans: { none: 'None', bank: 'With a bank', stores: 'With a store' },
  other_debtors: { none: 'Nobody', co_applicant: 'A co-applicant', guarantor: 'A guarantor' },
} as const;

const ADVICE: Record<Prediction['advice'], string> = {
  approve: 'Likely to be approved',
  review: 'An officer will look closely',
  decline: 'Likely to be declined',
};
const BAND_TONE = { low: 'success', medium: 'warn', high: 'danger' } as const;

function toInput(values: LoanFormValues): LoanPredictInput {
  const amount = (v: string) => parseAmountInput(v, 'INR')!;
  return {
    product: values.product,
    amount: amount(values.amount),
    term_months: Number(values.term_months),
    purpose: values.purpose,
    age: Number(values.age),
    monthly_income: amount(values.monthly_income),
    employment_years: Number(values.employment_years),
    job: values.job,
    housing: values.housing,
    residence_years: Number(values.residence_years),
    property: values.property,
    dependants: Number(values.dependants),
    existing_credits: Number(values.existing_credits),
    credit_history: values.credit_history,
    other_installment_plans: values.other_installment_plans,
    other_debtors: values.other_debtors,
    checking_balance: amount(values.checking_balance),
    savings_balance: amount(values.savings_balance),
    has_telephone: values.has_telephone,
  };
}

type Props = { products: LoanProduct[]; accounts: LoanAccount[]; onApplied: (loan: Loan) => void };

/**
 * The application: the loan, then the applicant. "Estimate" scores it with the bank's model
 * (nothing is stored); "Apply" submits the same answers, scored again by the bank.
 */
export function LoanApplicationForm({ products, accounts, onApplied }: Props) {
  const predict = usePredictLoan();
  const apply = useApplyForLoan();
  const [estimate, setEstimate] = useState<Prediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const form = useForm<LoanFormValues>({
    resolver: zodResolver(schema),
    defaultValues: {
      product: products[0]?.code ?? '',
      account: accounts[0]?.number ?? '',
      amount: '',
      term_months: '',
      purpose: 'other',
      age: '',
      monthly_income: '',
      employment_years: '',
      job: 'skilled',
      housing: 'rent',
      residence_years: '',
      property: 'none',
      dependants: '0',
      existing_credits: '0',
      credit_history: 'existing_paid_duly',
      other_installment_plans: 'none',
      other_debtors: 'none',
      checking_balance: '0',
      savings_balance: '0',
      has_telephone: true,
    },
  });
  const { errors } = form.formState;
  const product = products.find((p) => p.code === form.watch('product'));
  const currency = product?.currency ?? 'INR';

  /** Checks against the chosen product that zod cannot know: the amount and term ranges. */
  const withinProduct = (values: LoanFormValues): boolean => {
    if (!product) return false;
    const amount = parseAmountInput(values.amount, currency)!;
    let ok = true;
    if (compareAmounts(amount, product.min_amount, currency) < 0 || compareAmounts(amount, product.max_amount, currency) > 0) {
      form.setError('amount', {
        message: `Between ${formatMoney(product.min_amount, currency)} and ${formatMoney(product.max_amount, currency)}`,
      });
      ok = false;
    }
    const term = Number(values.term_months);
    if (term < product.min_term_months || term > product.max_term_months) {
      form.setError('term_months', { message: `Between ${product.min_term_months} and ${product.max_term_months} months` });
      ok = false;
    }
    return ok;
  };

  const showApiError = (caught: unknown) => {
    if (caught instanceof ApiError) {
      for (const [field, message] of Object.entries(caught.fieldErrors)) {
        if (field in schema.shape) form.setError(field as keyof LoanFormValues, { message });
      }
    }
    setError(errorMessage(caught));
  };

  const onEstimate = form.handleSubmit(async (values) => {
    setError(null);
    if (!withinProduct(values)) return;
    try {
      setEstimate(await predict.mutateAsync(toInput(values)));
    } catch (caught) {
      showApiError(caught);
    }
  });

  const onApply = form.handleSubmit(async (values) => {
    setError(null);
    if (!withinProduct(values)) return;
    try {
      onApplied(await apply.mutateAsync({ ...toInput(values), account: values.account }));
    } catch (caught) {
      showApiError(caught);
    }
  });

  const select = (name: keyof typeof CHOICES, label: string) => (
    <Field label={label} error={errors[name]?.message}>
      <select className="input" {...form.register(name, { onChange: () => setEstimate(null) })}>
        {Object.entries(CHOICES[name]).map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );
  const text = (name: keyof LoanFormValues, label: string, options: { money?: boolean; hint?: string } = {}) => (
    <Field label={label} error={errors[name]?.message} prefix={options.money ? currencySymbol(currency) : undefined} hint={options.hint}>
      <input className="input" inputMode={options.money ? 'decimal' : 'numeric'} {...form.register(name, { onChange: () => setEstimate(null) })} />
    </Field>
  );

  return (
    <form className="stack" onSubmit={onApply} noValidate aria-label="Loan application">
      {error && <Alert>{error}</Alert>}
      <fieldset className="stack">
        <legend className="label">The loan</legend>
        <div className="form-grid">
          <Field label="Loan" error={errors.product?.message}>
            <select className="input" {...form.register('product', { onChange: () => setEstimate(null) })}>
              {products.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name} · {formatRate(p.annual_rate)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Pay into" error={errors.account?.message}>
            <select className="input" {...form.register('account')}>
              {accounts.map((a) => (
                <option key={a.number} value={a.number}>
                  {a.label}
                </option>
              ))}
            </select>
          </Field>
          {text('amount', 'Amount', {
            money: true,
            hint: product ? `${formatMoney(product.min_amount, currency)} to ${formatMoney(product.max_amount, currency)}` : undefined,
          })}
          {text('term_months', 'Term (months)', {
            hint: product ? `${product.min_term_months} to ${product.max_term_months} months` : undefined,
          })}
          <Field label="Purpose" error={errors.purpose?.message}>
            <select className="input" {...form.register('purpose', { onChange: () => setEstimate(null) })}>
              {Object.entries(PURPOSES).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </fieldset>
      <fieldset className="stack">
        <legend className="label">About you</legend>
        <div className="form-grid">
          {text('age', 'Age')}
          {text('monthly_income', 'Monthly income', { money: true })}
          {select('job', 'Work')}
          {text('employment_years', 'Years in this work')}
          {select('housing', 'Home')}
          {text('residence_years', 'Years at this address')}
          {select('property', 'Most valuable property')}
          {text('dependants', 'People who depend on you')}
          {text('existing_credits', 'Loans you have now')}
          {select('credit_history', 'Past loans')}
          {select('other_installment_plans', 'Other instalment plans')}
          {select('other_debtors', 'Who else is on this loan')}
          {text('checking_balance', 'Money in current accounts', { money: true })}
          {text('savings_balance', 'Money in savings', { money: true })}
        </div>
        <label className="row" style={{ gap: '0.5rem' }}>
          <input type="checkbox" {...form.register('has_telephone', { onChange: () => setEstimate(null) })} /> I have a phone
          in my name
        </label>
      </fieldset>
      {estimate && (
        <section className="card" aria-labelledby="estimate-title" data-testid="risk-estimate">
          <div className="card-head">
            <h2 id="estimate-title">Your estimate</h2>
            <Badge tone={BAND_TONE[estimate.band]}>{estimate.band} risk</Badge>
          </div>
          <Summary
            rows={[
              ['Outlook', ADVICE[estimate.advice]],
              ['Chance of payment trouble', formatProbability(estimate.probability)],
              ['First monthly payment', formatMoney(estimate.first_instalment, currency)],
            ]}
          />
          <p className="tx-sub">An estimate from our model, not a decision: a loan officer decides.</p>
        </section>
      )}
      <div className="dialog-actions">
        <Button variant="secondary" onClick={onEstimate} loading={predict.isPending} disabled={apply.isPending}>
          Estimate my risk
        </Button>
        <Button type="submit" loading={apply.isPending} disabled={predict.isPending}>
          Apply
        </Button>
      </div>
    </form>
  );
}
