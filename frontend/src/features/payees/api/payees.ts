import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';
import { stepUpHeaders, type StepUp } from '@/lib/api/step-up';

export type Payee = components['schemas']['BeneficiaryOutput'];
export type PayeeInput = components['schemas']['BeneficiaryAddInputRequest'];
export type StandingOrder = components['schemas']['StandingOrderOutput'];
export type StandingOrderInput = components['schemas']['StandingOrderCreateInputRequest'];

export const payeeKeys = { all: ['beneficiaries'] as const, orders: ['standing-orders'] as const };

export function usePayees() {
  return useQuery({
    queryKey: payeeKeys.all,
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/beneficiaries/', { params: { query: { page_size: 100 } } }))).results.filter(
        (p) => p.status !== 'removed',
      ),
  });
}

/** Adding a payee needs a step-up (PIN or code) and starts its cooling-off period. */
export function useAddPayee() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ input, stepUp }: { input: PayeeInput; stepUp?: StepUp }) =>
      unwrap(api.POST('/api/v1/beneficiaries/', { params: { header: stepUpHeaders(stepUp) }, body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: payeeKeys.all }),
  });
}

export function useRemovePayee() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE('/api/v1/beneficiaries/{beneficiary_id}/', { params: { path: { beneficiary_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: payeeKeys.all }),
  });
}

type PayVariables = {
  id: number;
  input: components['schemas']['BeneficiaryTransferInputRequest'];
  idempotencyKey: string;
  stepUp?: StepUp;
};

export function usePayPayee() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input, idempotencyKey, stepUp }: PayVariables) =>
      unwrap(
        api.POST('/api/v1/beneficiaries/{beneficiary_id}/transfers/', {
          params: {
            path: { beneficiary_id: id },
            header: { 'Idempotency-Key': idempotencyKey, ...stepUpHeaders(stepUp) },
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

export function useStandingOrders() {
  return useQuery({
    queryKey: payeeKeys.orders,
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/standing-orders/', { params: { query: { page_size: 100 } } }))).results,
  });
}

export function useCreateStandingOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: StandingOrderInput) => unwrap(api.POST('/api/v1/standing-orders/', { body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: payeeKeys.orders }),
  });
}

export function useCancelStandingOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/standing-orders/{order_id}/cancel/', { params: { path: { order_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: payeeKeys.orders }),
  });
}
