import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';

export type TransferInput = components['schemas']['TransferInputRequest'];
export type Receipt = components['schemas']['Receipt'];

export { isStepUp, STEP_UP_CODES, stepUpHeader } from '@/lib/api/step-up';

type Variables = {
  input: TransferInput;
  idempotencyKey: string;
  stepUp?: { header: 'X-OTP' | 'X-Transaction-PIN'; code: string };
};

/**
 * POST /transfers/ with the confirmation's Idempotency-Key. Whatever the outcome, balances
 * and history are refetched: even a timeout may have paid (a retry with the same key would
 * then replay the receipt rather than pay again).
 */
export function useTransfer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ input, idempotencyKey, stepUp }: Variables) =>
      unwrap(
        api.POST('/api/v1/transfers/', {
          params: {
            header: { 'Idempotency-Key': idempotencyKey, ...(stepUp ? { [stepUp.header]: stepUp.code } : {}) },
          },
          body: input,
        }),
      ),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['accounts'] });
      void queryClient.invalidateQueries({ queryKey: ['transactions'] });
    },
  });
}
