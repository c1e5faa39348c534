import { useQuery } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';
import { fromMinor, toMinor } from '@/lib/money';

export type Spending = components['schemas']['SpendingOutput'];
export type SpendingCategory = components['schemas']['Category'];

/** Income and expenses by month, this month's categories and forecast, own fraud alerts. */
export function useSpending(months = 6) {
  return useQuery({
    queryKey: ['risk', 'spending', months],
    queryFn: () => unwrap(api.GET('/api/v1/risk/spending/', { params: { query: { months } } })),
  });
}

/**
 * Each category's share of the total as a whole percent (for bar widths and labels), computed
 * exactly on minor units; the amounts themselves stay strings.
 */
export function categoryShares(categories: SpendingCategory[], currency: string) {
  const minors = categories.map((c) => toMinor(c.amount, currency));
  const total = minors.reduce((sum, m) => sum + m, 0n);
  return categories.map((c, i) => ({
    ...c,
    percent: total > 0n ? Number((minors[i]! * 100n) / total) : 0,
  }));
}

/** Total of a list of decimal strings, exact. */
export function totalOf(amounts: string[], currency: string): string {
  return fromMinor(
    amounts.reduce((sum, a) => sum + toMinor(a, currency), 0n),
    currency,
  );
}
