import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { InsightsRoute } from '@/app/routes/insights';
import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import { categoryShares } from '../api/spending';

describe('categoryShares', () => {
  it('computes whole-percent shares exactly from the decimal strings', () => {
    const shares = categoryShares(
      [
        { category: 'transfers', amount: '0.10' },
        { category: 'cash', amount: '0.20' },
        { category: 'fees', amount: '0.70' },
      ],
      'INR',
    );
    // 0.1 + 0.2 in floats is 0.30000000000000004; here it is 10%, 20%, 70%.
    expect(shares.map((s) => s.percent)).toEqual([10, 20, 70]);
  });

  it('is all zeros when nothing was spent', () => {
    expect(categoryShares([{ category: 'cash', amount: '0.00' }], 'INR')[0]!.percent).toBe(0);
  });
});

describe('InsightsRoute', () => {
  it('shows the forecast, categories, the monthly trend and own alerts', async () => {
    const asked: string[] = [];
    server.use(
      http.get('*/api/v1/risk/spending/', ({ request }) => {
        asked.push(new URL(request.url).searchParams.get('months') ?? '');
        return HttpResponse.json({
          currency: 'INR',
          months: [
            { month: '2026-10', income: '85000.00', expenses: '42000.50', net: '42999.50' },
            { month: '2026-11', income: '85000.00', expenses: '51234.75', net: '33765.25' },
          ],
          categories: [
            { category: 'transfers', amount: '30000.00' },
            { category: 'cash', amount: '10000.00' },
          ],
          forecast: {
            spent_so_far: '40000.00',
            daily_average: '1250.40',
            days_left: 26,
            projected_month_expenses: '72510.40',
            method: 'spent so far + average daily spending of the previous 30 days × days left',
          },
          alerts: [{ id: 4, created_at: '2026-12-01T10:00:00+05:30', amount: '250000.00', verdict: 'critical', status: 'open', held: true }],
        });
      }),
    );
    const { user } = renderWithApp(<InsightsRoute />);
    expect(await screen.findByTestId('forecast')).toHaveTextContent('₹72,510.40');
    expect(screen.getByText('₹1,250.40')).toBeInTheDocument();
    const categories = screen.getByRole('list', { name: 'Spending by category' });
    expect(within(categories).getAllByRole('listitem')[0]).toHaveTextContent('₹30,000.00 75%');
    const alerts = screen.getByRole('list', { name: 'Risk alerts' });
    expect(alerts).toHaveTextContent('Payment held for a check · Being checked');
    expect(alerts).toHaveTextContent('₹2,50,000.00');
    expect(screen.getByText(/Nov 26: in ₹85,000.00, out ₹51,234.75/)).toBeInTheDocument();
    expect(asked).toEqual(['6']);

    await user.click(screen.getByRole('button', { name: '12 months' }));
    await waitFor(() => expect(asked).toContain('12'));
  });
});
