import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';

import { problem } from '@/testing/data';
import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import type { LoanProduct } from '../api/loans';
import { LoanApplicationForm } from './loan-application-form';

const products: LoanProduct[] = [
  {
    code: 'personal',
    name: 'Personal loan',
    kind: 'personal',
    currency: 'INR',
    annual_rate: '12.5000',
    min_term_months: 6,
    max_term_months: 60,
    min_amount: '10000.00',
    max_amount: '1500000.00',
    amortization: 'emi',
    late_fee: '500.00',
    grace_days: 5,
  },
];
const accounts = [{ number: '1010001000000012', label: 'Savings •• 0012' }];

async function fillLoan(user: ReturnType<typeof renderWithApp>['user'], amount = '2,50,000') {
  await user.type(screen.getByLabelText('Amount'), amount);
  await user.type(screen.getByLabelText('Term (months)'), '24');
  await user.type(screen.getByLabelText('Age'), '34');
  await user.type(screen.getByLabelText('Monthly income'), '85000.5');
  await user.type(screen.getByLabelText('Years in this work'), '6');
  await user.type(screen.getByLabelText('Years at this address'), '3');
}

describe('LoanApplicationForm', () => {
  it('shows the risk estimate from /loans/predict/, then applies with exact decimal strings', async () => {
    const bodies: Record<string, unknown>[] = [];
    server.use(
      http.post('*/api/v1/loans/predict/', async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({
          probability: '0.1834',
          band: 'low',
          advice: 'approve',
          threshold: '0.3500',
          model_version: 'lr-1',
          first_instalment: '11826.74',
          features: {},
        });
      }),
      http.post('*/api/v1/loans/', async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({ id: 41 }, { status: 201 });
      }),
    );
    const onApplied = vi.fn();
    const { user } = renderWithApp(<LoanApplicationForm products={products} accounts={accounts} onApplied={onApplied} />);
    await fillLoan(user);
    await user.click(screen.getByRole('button', { name: 'Estimate my risk' }));

    const estimate = await screen.findByTestId('risk-estimate');
    expect(estimate).toHaveTextContent('low risk');
    expect(estimate).toHaveTextContent('18.3%');
    expect(estimate).toHaveTextContent('₹11,826.74');
    expect(bodies[0]).toMatchObject({ amount: '250000.00', monthly_income: '85000.50', term_months: 24, age: 34 });
    expect(bodies[0]).not.toHaveProperty('account');

    await user.click(screen.getByRole('button', { name: 'Apply' }));
    await vi.waitFor(() => expect(onApplied).toHaveBeenCalledWith({ id: 41 }));
    expect(bodies[1]).toMatchObject({ amount: '250000.00', account: '1010001000000012', product: 'personal' });
  });

  it('refuses an amount outside the product, without asking the bank', async () => {
    const { user } = renderWithApp(<LoanApplicationForm products={products} accounts={accounts} onApplied={vi.fn()} />);
    await fillLoan(user, '500');
    await user.click(screen.getByRole('button', { name: 'Estimate my risk' }));
    expect(await screen.findByText('Between ₹10,000.00 and ₹15,00,000.00')).toBeInTheDocument();
  });

  it('says in words when the model is unavailable', async () => {
    server.use(
      http.post('*/api/v1/loans/predict/', () =>
        HttpResponse.json(problem(503, 'risk_model_unavailable', 'The risk model is not trained yet.'), { status: 503 }),
      ),
    );
    const { user } = renderWithApp(<LoanApplicationForm products={products} accounts={accounts} onApplied={vi.fn()} />);
    await fillLoan(user);
    await user.click(screen.getByRole('button', { name: 'Estimate my risk' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The risk model is not trained yet.');
  });
});
