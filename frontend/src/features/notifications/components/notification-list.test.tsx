import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import { AnnouncementBanner } from './announcement-banner';
import { NotificationList } from './notification-list';

const note = (id: number, read_at: string | null) => ({
  id,
  kind: 'money_received' as const,
  title: `Received ₹${id},000.00`,
  body: 'From Priya',
  data: {},
  created_at: '2026-11-20T10:00:00+05:30',
  read_at,
});

describe('NotificationList', () => {
  it('marks one notification read', async () => {
    const marked: string[] = [];
    server.use(
      http.post('*/api/v1/notifications/:id/read/', ({ params }) => {
        marked.push(String(params.id));
        return HttpResponse.json(note(Number(params.id), '2026-11-20T11:00:00+05:30'));
      }),
    );
    const { user } = renderWithApp(<NotificationList notifications={[note(1, null), note(2, '2026-11-20T10:30:00+05:30')]} />);
    expect(screen.getAllByRole('button', { name: /^Mark read/ })).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Mark read: Received ₹1,000.00' }));
    await waitFor(() => expect(marked).toEqual(['1']));
  });

  it('shows the empty state', () => {
    renderWithApp(<NotificationList notifications={[]} emptyTitle="You are all caught up" />);
    expect(screen.getByText('You are all caught up')).toBeInTheDocument();
  });
});

describe('AnnouncementBanner', () => {
  it('shows unread announcements and dismisses one', async () => {
    let dismissed = false;
    server.use(
      http.get('*/api/v1/announcements/', () =>
        HttpResponse.json({
          next: null,
          previous: null,
          results: [
            {
              id: 3,
              title: 'Maintenance on Sunday',
              body: 'Online banking pauses 2-3 am.',
              severity: 'warning',
              audience: 'all',
              starts_at: '2026-11-20T00:00:00+05:30',
              ends_at: null,
              is_read: dismissed,
            },
            { id: 4, title: 'Old news', body: '', severity: 'info', audience: 'all', starts_at: '2026-11-01T00:00:00+05:30', ends_at: null, is_read: true },
          ],
        }),
      ),
      http.post('*/api/v1/announcements/3/read/', () => {
        dismissed = true;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderWithApp(<AnnouncementBanner />);
    expect(await screen.findByText('Maintenance on Sunday')).toBeInTheDocument();
    expect(screen.queryByText('Old news')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Dismiss: Maintenance on Sunday' }));
    await waitFor(() => expect(screen.queryByText('Maintenance on Sunday')).not.toBeInTheDocument());
    expect(dismissed).toBe(true);
  });
});
