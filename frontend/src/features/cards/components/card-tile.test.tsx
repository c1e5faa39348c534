import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import type { Card } from '../api/cards';
import { CardTile } from './card-tile';

const card = {
  id: 3,
  account: '1010001000000012',
  masked_number: '•••• •••• •••• 4242',
  expiry_month: 11,
  expiry_year: 2031,
  status: 'active',
  block_reason: '',
  daily_limit: '50000.00',
  replaces: null,
  issued_at: '2026-11-01T10:00:00+05:30',
  activated_at: '2026-11-02T10:00:00+05:30',
} as unknown as Card;

describe('CardTile', () => {
  it('shows the masked number and the limit in en-IN, and blocks only after confirming', async () => {
    const blocked: unknown[] = [];
    server.use(
      http.post('*/api/v1/cards/3/block/', async ({ request }) => {
        blocked.push(await request.json());
        return HttpResponse.json({ ...card, status: 'blocked', block_reason: 'lost' });
      }),
      http.get('*/api/v1/cards/', () => HttpResponse.json({ next: null, previous: null, results: [] })),
    );
    const { user } = renderWithApp(<CardTile card={card} currency="INR" />);
    const tile = screen.getByRole('article', { name: 'Card •••• •••• •••• 4242' });
    expect(tile).toHaveTextContent('₹50,000.00');
    expect(tile).toHaveTextContent('Expires 11/31');

    await user.click(within(tile).getByRole('button', { name: 'Block' }));
    const dialog = await screen.findByRole('dialog', { name: 'Block card •••• •••• •••• 4242?' });
    expect(blocked).toHaveLength(0);
    await user.selectOptions(within(dialog).getByLabelText('Why'), 'lost');
    expect(dialog).toHaveTextContent('This is final');
    await user.click(within(dialog).getByRole('button', { name: 'Block card' }));
    await waitFor(() => expect(blocked).toEqual([{ reason: 'lost' }]));
    expect(await screen.findByText('Card blocked')).toBeInTheDocument();
  });
});
