import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, downloadFile, unwrap, type components } from '@/lib/api/client';

export type Account = components['schemas']['AccountOutput'];
export type AccountType = components['schemas']['AccountTypeOutput'];
export type Branch = components['schemas']['BranchOutput'];
export type Entry = components['schemas']['EntryOutput'];
export type AccountOpenInput = components['schemas']['AccountOpenInputRequest'];

export const accountKeys = {
  all: ['accounts'] as const,
  detail: (number: string) => ['accounts', number] as const,
  statement: (number: string, size: number) => ['accounts', number, 'statement', size] as const,
};

export const currencyOf = (account: Pick<Account, 'currency'>) => account.currency ?? 'INR';

/** All of the caller's accounts, oldest first (a customer has a handful: one page of 100). */
export function useAccounts() {
  return useQuery({
    queryKey: accountKeys.all,
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/accounts/', { params: { query: { page_size: 100 } } }))).results,
  });
}

export function useAccount(number: string) {
  return useQuery({
    queryKey: accountKeys.detail(number),
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{number}/', { params: { path: { number } } })),
  });
}

/** The newest `size` entries of an account, each with its running balance (newest first). */
export function useStatement(number: string, size = 10, enabled = true) {
  return useQuery({
    queryKey: accountKeys.statement(number, size),
    queryFn: async () =>
      (
        await unwrap(
          api.GET('/api/v1/accounts/{number}/statement/', {
            params: { path: { number }, query: { page_size: size } },
          }),
        )
      ).results,
    enabled,
  });
}

export function useAccountTypes() {
  return useQuery({
    queryKey: ['account-types'],
    queryFn: () => unwrap(api.GET('/api/v1/account-types/')),
    staleTime: 10 * 60_000,
  });
}

export function useBranches() {
  return useQuery({
    queryKey: ['branches'],
    queryFn: () => unwrap(api.GET('/api/v1/branches/')),
    staleTime: 10 * 60_000,
  });
}

export function useOpenAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: AccountOpenInput) => unwrap(api.POST('/api/v1/accounts/', { body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

/** The whole statement as CSV, streamed by the API (`?format=csv`). */
export function downloadStatementCsv(number: string): Promise<void> {
  return downloadFile(`/api/v1/accounts/${number}/statement/?format=csv`, `statement-${number}.csv`);
}

export function useInterest(number: string, enabled = true) {
  return useQuery({
    queryKey: ['accounts', number, 'interest'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{number}/interest/', { params: { path: { number } } })),
    enabled,
  });
}

/** A month's statement as PDF (issued, or computed now for the current month). */
export function downloadMonthlyStatementPdf(number: string, month: string): Promise<void> {
  return downloadFile(`/api/v1/accounts/${number}/statements/${month}/?format=pdf`, `statement-${number}-${month}.pdf`);
}

/** Everything on all of one's own accounts as one CSV (GET /export/). */
export function downloadEverythingCsv(): Promise<void> {
  return downloadFile('/api/v1/export/', 'transactions.csv');
}

/** The last `count` months as YYYY-MM, this month first. */
export function recentMonths(count: number, today = new Date()): string[] {
  return Array.from({ length: count }, (_, i) => {
    const date = new Date(today.getFullYear(), today.getMonth() - i, 1);
    return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
  });
}
