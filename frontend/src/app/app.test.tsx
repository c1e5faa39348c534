import { render, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';

import { setTokens } from '@/lib/auth/tokens';
import { makeQueryClient } from '@/lib/react-query';
import { account, fakeJwt } from '@/testing/data';
import { server } from '@/testing/server';

import { AppProvider } from './provider';
import { routes } from './router';

function renderApp(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <AppProvider queryClient={makeQueryClient()}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return router;
}

describe('app routes', () => {
  it('sends a signed-out visitor to the login page and remembers where they were going', async () => {
    const router = renderApp('/history?kind=transfer');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/history?kind=transfer')}`);
  });

  it('shows the dashboard: exact total across accounts, month flow without own transfers, recent activity', async () => {
    setTokens({ access: fakeJwt(600), refresh: fakeJwt(86400) });
    const entry = (id: number, transaction: number, account: string, amount: string, description: string) => ({
      id,
      transaction,
      reference: `R${transaction}`,
      kind: 'transfer',
      description,
      account,
      amount,
      balance_after: '0.00',
      created_at: new Date().toISOString(),
    });
    const month = [
      entry(1, 1, '1010001000000012', '0.10', 'Cashback'),
      entry(2, 2, '1010001000000012', '-0.30', 'Tea'),
      entry(3, 3, '1010001000000012', '-500.00', 'Monthly savings'),
      entry(4, 3, '1010001000000020', '500.00', 'Monthly savings'),
    ];
    server.use(
      http.get('*/api/v1/accounts/', () =>
        HttpResponse.json({
          next: null,
          previous: null,
          results: [
            account({ balance: '0.10', available_balance: '0.10' }),
            account({ number: '1010001000000020', balance: '0.20', available_balance: '0.20' }),
          ],
        }),
      ),
      http.get('*/api/v1/transactions/', () => HttpResponse.json({ next: null, previous: null, results: month })),
      http.get('*/api/v1/accounts/:number/statement/', () => HttpResponse.json({ next: null, previous: null, results: [] })),
    );
    renderApp('/');
    // 0.10 + 0.20 is 0.30 here, not 0.30000000000000004.
    // The page loads lazily: the first import is slow under a cold test transform.
    await waitFor(() => expect(screen.getByTestId('total-balance')).toHaveTextContent('₹0.30'), { timeout: 10_000 });
    expect(await screen.findByText('Cashback')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByText('Money in this month').nextSibling).toHaveTextContent('₹0.10'));
    expect(screen.getByText('Money out this month').nextSibling).toHaveTextContent('₹0.30');
  });
});
