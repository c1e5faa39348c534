import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';

export type CashInput = components['schemas']['CashInputRequest'];

/** Cash in or out of one's own account, with the dialog's Idempotency-Key. */
export function useCash(kind: 'deposit' | 'withdrawal') {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ input, idempotencyKey }: { input: CashInput; idempotencyKey: string }) =>
      unwrap(
        api.POST(kind === 'deposit' ? '/api/v1/deposits/' : '/api/v1/withdrawals/', {
          params: { header: { 'Idempotency-Key': idempotencyKey } },
          body: input,
        }),
      ),
    // A timeout may still have moved the money: refetch balances and history either way.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['accounts'] });
      void queryClient.invalidateQueries({ queryKey: ['transactions'] });
    },
  });
}
