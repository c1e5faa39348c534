import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';

import { problem } from '@/testing/data';
import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import type { Loan } from '../api/loans';
import { RepayDialog } from './repay-dialog';

const loan = {
  id: 12,
  account: '1010001000000012',
  currency: 'INR',
  emi: '5288.92',
  payoff_amount: '60125.40',
  status: 'disbursed',
} as unknown as Loan;

describe('RepayDialog', () => {
  it('keeps one Idempotency-Key across a failed attempt and its retry', async () => {
    const seen: { key: string | null; body: unknown }[] = [];
    server.use(
      http.post('*/api/v1/loans/12/repayments/', async ({ request }) => {
        seen.push({ key: request.headers.get('Idempotency-Key'), body: await request.json() });
        if (seen.length === 1) return HttpResponse.json(problem(503, 'unavailable', 'The bank is busy; try again.'), { status: 503 });
        return HttpResponse.json({ id: 1, amount: '5288.92' }, { status: 201 });
      }),
    );
    const onClose = vi.fn();
    const { user } = renderWithApp(<RepayDialog loan={loan} payoff={false} onClose={onClose} />);
    const dialog = screen.getByRole('dialog', { name: 'Repay' });
    expect(within(dialog).getByLabelText('Amount')).toHaveValue('5288.92');
    await user.click(within(dialog).getByRole('button', { name: 'Pay now' }));
    expect(await within(dialog).findByText('The bank is busy; try again.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Pay now' }));
    expect(await screen.findByText('Paid ₹5,288.92')).toBeInTheDocument();
    expect(onClose).toHaveBeenCalled();
    expect(seen.map((s) => s.body)).toEqual([{ amount: '5288.92' }, { amount: '5288.92' }]);
    expect(seen[0]!.key).toBe(seen[1]!.key);
  });

  it('pays off through /close/ for the payoff amount shown', async () => {
    let closed = false;
    server.use(
      http.post('*/api/v1/loans/12/close/', () => {
        closed = true;
        return HttpResponse.json({ id: 2, amount: '60125.40' }, { status: 201 });
      }),
    );
    const { user } = renderWithApp(<RepayDialog loan={loan} payoff onClose={vi.fn()} />);
    const dialog = screen.getByRole('dialog', { name: 'Pay off this loan' });
    expect(dialog).toHaveTextContent('₹60,125.40');
    await user.click(within(dialog).getByRole('button', { name: 'Pay off and close' }));
    expect(await screen.findByText('Loan paid off and closed')).toBeInTheDocument();
    expect(closed).toBe(true);
  });
});
