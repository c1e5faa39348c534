import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import type { TicketDetail } from '../api/tickets';
import { TicketThread } from './ticket-thread';

const ticket: TicketDetail = {
  id: 9,
  customer: 'arjun',
  category: 'card',
  subject: 'Card declined',
  status: 'waiting_on_customer',
  assigned_to: 'teller',
  created_at: '2026-11-20T10:00:00+05:30',
  updated_at: '2026-11-20T11:00:00+05:30',
  first_response_at: '2026-11-20T11:00:00+05:30',
  resolved_at: null,
  closed_at: null,
  response_time_seconds: 3600,
  resolution_time_seconds: null,
  messages: [
    { id: 1, author: 'arjun', from_staff: false, body: 'My card was declined.', created_at: '2026-11-20T10:00:00+05:30' },
    { id: 2, author: 'teller', from_staff: true, body: 'Which shop?', created_at: '2026-11-20T11:00:00+05:30' },
  ],
} as TicketDetail;

describe('TicketThread', () => {
  it('shows the thread and sends a reply', async () => {
    const sent: unknown[] = [];
    server.use(
      http.post('*/api/v1/tickets/9/messages/', async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json({ id: 3, author: 'arjun', from_staff: false, body: 'Big Bazaar', created_at: '' }, { status: 201 });
      }),
    );
    const { user } = renderWithApp(<TicketThread ticket={ticket} />);
    const messages = within(screen.getByRole('list', { name: 'Messages' })).getAllByRole('listitem');
    expect(messages).toHaveLength(2);
    expect(messages[1]).toHaveTextContent('Bank support');

    await user.click(screen.getByRole('button', { name: 'Send reply' }));
    expect(await screen.findByText('Write a reply first')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Your reply'), 'Big Bazaar');
    await user.click(screen.getByRole('button', { name: 'Send reply' }));
    expect(await screen.findByText('Reply sent')).toBeInTheDocument();
    expect(sent).toEqual([{ body: 'Big Bazaar' }]);
  });

  it('asks before closing the ticket', async () => {
    let closed = false;
    server.use(
      http.post('*/api/v1/tickets/9/status/', () => {
        closed = true;
        return HttpResponse.json({ ...ticket, status: 'closed' });
      }),
    );
    const { user } = renderWithApp(<TicketThread ticket={ticket} />);
    await user.click(screen.getByRole('button', { name: 'Close ticket' }));
    const dialog = await screen.findByRole('dialog', { name: 'Close this ticket?' });
    expect(closed).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Close ticket' }));
    expect(await screen.findByText('Ticket closed')).toBeInTheDocument();
    expect(closed).toBe(true);
  });
});
