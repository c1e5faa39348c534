import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { problem } from '@/testing/data';
import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import type { PayingAccount } from './transfer-form';
import { TransferFlow } from './transfer-flow';

const accounts: PayingAccount[] = [
  { number: '1010001000000012', label: 'Savings', currency: 'INR', available: '98500.00', canPay: true },
  { number: '1010001000000020', label: 'Current', currency: 'INR', available: '130000.00', canPay: true },
];
const PRIYA = '1010002000000010';

function receipt(body: Record<string, string>) {
  return {
    id: 7,
    reference: 'TRF20261123ABCDEF',
    kind: 'transfer',
    status: 'posted',
    description: body.description ?? '',
    amount: body.amount,
    currency: 'INR',
    source_account: body.source_account,
    destination_account: body.destination_account,
    created_at: '2026-11-23T12:00:00+05:30',
    reversal_of: null,
    reversed_by: null,
    entries: [{ account: body.source_account, amount: `-${body.amount}`, balance_after: '97265.50' }],
  };
}

type Seen = { key: string | null; otp: string | null; body: Record<string, string> };

function recordTransfers(respond: (seen: Seen, index: number) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  server.use(
    http.post('*/api/v1/transfers/', async ({ request }) => {
      const entry = {
        key: request.headers.get('Idempotency-Key'),
        otp: request.headers.get('X-OTP'),
        body: (await request.json()) as Record<string, string>,
      };
      seen.push(entry);
      return respond(entry, seen.length - 1);
    }),
  );
  return seen;
}

async function fillToPriya(user: ReturnType<typeof renderWithApp>['user'], amount = '1,234.5') {
  await user.click(screen.getByRole('button', { name: 'Someone else' }));
  await user.type(screen.getByLabelText("Recipient's account number"), PRIYA);
  await user.type(screen.getByLabelText('Amount'), amount);
  await user.type(screen.getByLabelText('Note (optional)'), 'Dinner');
  await user.click(screen.getByRole('button', { name: 'Review transfer' }));
  return screen.findByRole('dialog', { name: 'Confirm transfer' });
}

describe('TransferFlow', () => {
  it('confirms, pays once on a double click, and shows the receipt', async () => {
    const seen = recordTransfers(({ body }) => HttpResponse.json(receipt(body), { status: 201 }));
    const { user } = renderWithApp(<TransferFlow accounts={accounts} />);
    const dialog = await fillToPriya(user);
    expect(dialog).toHaveTextContent('₹1,234.50');
    expect(dialog).toHaveTextContent('1010 0020 0000 0010');

    await user.dblClick(within(dialog).getByRole('button', { name: /^Send/ }));
    expect(await screen.findByRole('heading', { name: 'Transfer complete' })).toBeInTheDocument();
    expect(screen.getByText('TRF20261123ABCDEF')).toBeInTheDocument();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    // Money went as the exact decimal string, normalised from what was typed.
    expect(seen[0]!.body).toEqual({
      source_account: '1010001000000012',
      destination_account: PRIYA,
      amount: '1234.50',
      description: 'Dinner',
    });
  });

  it('retries a failed attempt with the same Idempotency-Key, and a new transfer gets a new one', async () => {
    const seen = recordTransfers(({ body }, index) =>
      index === 0
        ? HttpResponse.json(problem(503, 'unavailable', 'The bank is busy, try again.'), { status: 503 })
        : HttpResponse.json(receipt(body), { status: 201 }),
    );
    const { user } = renderWithApp(<TransferFlow accounts={accounts} />);
    const dialog = await fillToPriya(user);
    await user.click(within(dialog).getByRole('button', { name: /^Send/ }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The bank is busy, try again.');
    await user.click(within(dialog).getByRole('button', { name: 'Try again' }));
    await screen.findByRole('heading', { name: 'Transfer complete' });
    expect(seen.map((s) => s.key)).toEqual([seen[0]!.key, seen[0]!.key]);

    await user.click(screen.getByRole('button', { name: 'Make another transfer' }));
    const next = await fillToPriya(user, '10');
    await user.click(within(next).getByRole('button', { name: /^Send/ }));
    await screen.findByRole('heading', { name: 'Transfer complete' });
    expect(seen).toHaveLength(3);
    expect(seen[2]!.key).not.toBe(seen[0]!.key);
  });

  it('asks for a one-time code when the bank wants step-up, then resends with it', async () => {
    const seen = recordTransfers(({ body, otp }) =>
      otp === '654321'
        ? HttpResponse.json(receipt(body), { status: 201 })
        : HttpResponse.json(
            problem(403, 'step_up_required', 'Large transfers need a one-time code.', { methods: ['otp'] }),
            { status: 403 },
          ),
    );
    const { user } = renderWithApp(<TransferFlow accounts={accounts} />);
    const dialog = await fillToPriya(user, '50000');
    await user.click(within(dialog).getByRole('button', { name: /^Send/ }));
    const code = await within(dialog).findByLabelText('One-time code');
    expect(dialog).toHaveTextContent('Large transfers need a one-time code.');
    await user.type(code, '654321');
    await user.click(within(dialog).getByRole('button', { name: /^Send/ }));
    await screen.findByRole('heading', { name: 'Transfer complete' });
    expect(seen).toHaveLength(2);
    expect(seen[1]!.key).toBe(seen[0]!.key);
    expect(seen[1]!.otp).toBe('654321');
    expect(seen[1]!.body).not.toHaveProperty('otp');
  });

  it('stops amounts above the available balance and invalid account numbers before asking the bank', async () => {
    const seen = recordTransfers(() => HttpResponse.json({}, { status: 500 }));
    const { user } = renderWithApp(<TransferFlow accounts={accounts} />);
    await user.click(screen.getByRole('button', { name: 'Someone else' }));
    await user.type(screen.getByLabelText("Recipient's account number"), '1010002000000011');
    await user.type(screen.getByLabelText('Amount'), '98500.01');
    await user.click(screen.getByRole('button', { name: 'Review transfer' }));
    expect(await screen.findByText(/check digit/)).toBeInTheDocument();
    expect(screen.getByText('More than the ₹98,500.00 available')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(seen).toHaveLength(0));
  });
});
