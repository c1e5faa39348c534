import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';

import { problem } from '@/testing/data';
import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import type { Payee } from '../api/payees';
import { PayPayeeDialog } from './pay-payee-dialog';

const payee = {
  id: 5,
  owner: 'arjun',
  name: 'Priya Sharma',
  nickname: 'Priya',
  account_number: '1010002000000010',
  routing_code: '1010002',
  is_own_bank: true,
  status: 'active',
  cooling_off_until: '2026-11-20T10:00:00+05:30',
  created_at: '2026-11-20T10:00:00+05:30',
} satisfies Payee;
const accounts = [{ number: '1010001000000012', label: 'Savings •• 0012', currency: 'INR' }];

describe('PayPayeeDialog', () => {
  it('retries with the same Idempotency-Key after a step-up, and sends the exact amount', async () => {
    const seen: { key: string | null; pin: string | null; body: unknown }[] = [];
    server.use(
      http.post('*/api/v1/beneficiaries/5/transfers/', async ({ request }) => {
        seen.push({
          key: request.headers.get('Idempotency-Key'),
          pin: request.headers.get('X-Transaction-PIN'),
          body: await request.json(),
        });
        if (seen.length === 1) {
          return HttpResponse.json(problem(403, 'step_up_required', 'PIN please', { methods: ['pin'] }), { status: 403 });
        }
        return HttpResponse.json({ amount: '12500.50', currency: 'INR', reference: 'TRF1' }, { status: 201 });
      }),
    );
    const onClose = vi.fn();
    const { user } = renderWithApp(<PayPayeeDialog payee={payee} accounts={accounts} onClose={onClose} />);
    const dialog = screen.getByRole('dialog', { name: 'Pay Priya' });
    await user.type(within(dialog).getByLabelText('Amount'), '12,500.5');
    await user.click(within(dialog).getByRole('button', { name: 'Pay ₹12,500.50' }));
    await user.type(await within(dialog).findByLabelText('Transaction PIN'), '2468');
    await user.click(within(dialog).getByRole('button', { name: 'Pay ₹12,500.50' }));
    expect(await screen.findByText('Sent ₹12,500.50 to Priya Sharma (TRF1)')).toBeInTheDocument();
    expect(onClose).toHaveBeenCalled();
    expect(seen).toHaveLength(2);
    expect(seen[0]!.key).toBe(seen[1]!.key);
    expect(seen[1]!.pin).toBe('2468');
    expect(seen[1]!.body).toEqual({ source_account: '1010001000000012', amount: '12500.50', description: '' });
  });

  it('refuses an empty amount without calling the bank', async () => {
    const { user } = renderWithApp(<PayPayeeDialog payee={payee} accounts={accounts} onClose={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: /^Pay/ }));
    expect(await screen.findByText('Enter an amount, e.g. 1,500')).toBeInTheDocument();
  });
});
