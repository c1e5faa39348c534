import { useInfiniteQuery, useQuery } from '@tanstack/react-query';

import { api, unwrap, type components, type paths } from '@/lib/api/client';

export type Entry = components['schemas']['EntryOutput'];
export type Receipt = components['schemas']['Receipt'];
type ListQuery = NonNullable<paths['/api/v1/transactions/']['get']['parameters']['query']>;

/** History filters as the page holds them: strings from inputs and the URL, money as decimal strings. */
export type HistoryFilters = {
  account?: string;
  kind?: string;
  direction?: string;
  date_from?: string;
  date_to?: string;
  min_amount?: string;
  max_amount?: string;
  q?: string;
};

export const transactionKeys = {
  all: ['transactions'] as const,
  list: (filters: HistoryFilters, size: number) => ['transactions', 'list', filters, size] as const,
  detail: (id: number) => ['transactions', id] as const,
};

function cursorOf(next: string | null | undefined): string | undefined {
  return next ? (new URL(next, 'http://x').searchParams.get('cursor') ?? undefined) : undefined;
}

function toQuery(filters: HistoryFilters, size: number, cursor?: string): ListQuery {
  const query: Record<string, string | number> = { page_size: size };
  for (const [name, value] of Object.entries(filters)) if (value) query[name] = value;
  if (cursor) query.cursor = cursor;
  // min/max_amount stay decimal strings on the wire; the schema calls them numbers, the URL does not care.
  return query as ListQuery;
}

/** Entries on the caller's accounts, newest first, a page at a time (keyset cursors). */
export function useTransactions(filters: HistoryFilters, size = 25) {
  return useInfiniteQuery({
    queryKey: transactionKeys.list(filters, size),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/transactions/', { params: { query: toQuery(filters, size, pageParam) } })),
    getNextPageParam: (page) => cursorOf(page.next),
  });
}

export function useReceipt(id: number) {
  return useQuery({
    queryKey: transactionKeys.detail(id),
    queryFn: () => unwrap(api.GET('/api/v1/transactions/{id}/', { params: { path: { id } } })),
  });
}
