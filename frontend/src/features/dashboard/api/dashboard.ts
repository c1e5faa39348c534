import { useQueries, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api/client';
import { localDay } from '@/lib/format';

import type { AccountStatement } from '../utils/summaries';

const STATEMENT_DEPTH = 200;

/** Each account's recent statement (for the balance-history chart). */
export function useStatements(accounts: { number: string; currency: string; balance: string }[]) {
  return useQueries({
    queries: accounts.map((account) => ({
      queryKey: ['accounts', account.number, 'statement', STATEMENT_DEPTH],
      queryFn: async (): Promise<AccountStatement> => {
        const page = await unwrap(
          api.GET('/api/v1/accounts/{number}/statement/', {
            params: { path: { number: account.number }, query: { page_size: STATEMENT_DEPTH } },
          }),
        );
        return { currency: account.currency, balance: account.balance, entries: page.results, truncated: !!page.next };
      },
    })),
    combine: (results) => ({
      data: results.every((r) => r.data) ? results.map((r) => r.data!) : undefined,
      isPending: results.some((r) => r.isPending),
      error: results.find((r) => r.error)?.error ?? null,
    }),
  });
}

/** This calendar month's entries on all the caller's accounts. */
export function useMonthEntries(today: Date = new Date()) {
  const first = localDay(new Date(today.getFullYear(), today.getMonth(), 1));
  return useQuery({
    queryKey: ['transactions', 'month', first],
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/transactions/', { params: { query: { date_from: first, page_size: 500 } } })))
        .results,
  });
}

/** The newest few movements for "Recent activity". */
export function useRecentEntries(size = 6) {
  return useQuery({
    queryKey: ['transactions', 'recent', size],
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/transactions/', { params: { query: { page_size: size } } }))).results,
  });
}
