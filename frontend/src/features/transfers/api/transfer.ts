import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';
import { ApiError } from '@/lib/api/problem';

export type TransferInput = components['schemas']['TransferInputRequest'];
export type Receipt = components['schemas']['Receipt'];

/**
 * The bank asks for a fresh one-time code (or the transaction PIN) before a large payment:
 * 403 `step_up_required` with `methods: ["otp"]` or `["pin"]`; the same request is sent
 * again with the code in the X-OTP header, or the PIN in X-Transaction-PIN.
 */
export const STEP_UP_CODES = new Set(['step_up_required', 'step_up_invalid']);

export function isStepUp(error: unknown): error is ApiError {
  return error instanceof ApiError && STEP_UP_CODES.has(error.code);
}

/** Which header carries the proof the bank asked for: PIN only when it asked for nothing else. */
export function stepUpHeader(error: unknown): 'X-OTP' | 'X-Transaction-PIN' {
  const methods = error instanceof ApiError ? error.problem.methods : undefined;
  return Array.isArray(methods) && methods.length === 1 && methods[0] === 'pin' ? 'X-Transaction-PIN' : 'X-OTP';
}

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
