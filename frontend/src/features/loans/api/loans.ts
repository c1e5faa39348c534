import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';

export type Loan = components['schemas']['LoanOutput'];
export type LoanProduct = components['schemas']['LoanProductOutput'];
export type LoanApplyInput = components['schemas']['LoanApplyInputRequest'];
export type LoanPredictInput = components['schemas']['LoanPredictInputRequest'];
export type Prediction = components['schemas']['PredictionOutput'];
export type Instalment = components['schemas']['InstalmentOutput'];
export type Repayment = components['schemas']['RepaymentOutput'];

export const loanKeys = {
  all: ['loans'] as const,
  detail: (id: number) => ['loans', id] as const,
  schedule: (id: number) => ['loans', id, 'schedule'] as const,
  repayments: (id: number) => ['loans', id, 'repayments'] as const,
};

export function useLoanProducts() {
  return useQuery({
    queryKey: ['loan-products'],
    queryFn: () => unwrap(api.GET('/api/v1/loan-products/')),
    staleTime: 10 * 60_000,
  });
}

export function useLoans() {
  return useQuery({
    queryKey: loanKeys.all,
    queryFn: async () => (await unwrap(api.GET('/api/v1/loans/', { params: { query: { page_size: 100 } } }))).results,
  });
}

export function useLoan(id: number) {
  return useQuery({
    queryKey: loanKeys.detail(id),
    queryFn: () => unwrap(api.GET('/api/v1/loans/{id}/', { params: { path: { id } } })),
  });
}

export function useLoanSchedule(id: number, enabled = true) {
  return useQuery({
    queryKey: loanKeys.schedule(id),
    queryFn: () => unwrap(api.GET('/api/v1/loans/{id}/schedule/', { params: { path: { id } } })),
    enabled,
  });
}

export function useLoanRepayments(id: number, enabled = true) {
  return useQuery({
    queryKey: loanKeys.repayments(id),
    queryFn: async () =>
      (
        await unwrap(
          api.GET('/api/v1/loans/{id}/repayments/', { params: { path: { id }, query: { page_size: 100 } } }),
        )
      ).results,
    enabled,
  });
}

/** The model's estimate for a hypothetical application: nothing is created. */
export function usePredictLoan() {
  return useMutation({
    mutationFn: (input: LoanPredictInput) => unwrap(api.POST('/api/v1/loans/predict/', { body: input })),
  });
}

export function useApplyForLoan() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: LoanApplyInput) => unwrap(api.POST('/api/v1/loans/', { body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: loanKeys.all }),
  });
}

/** A repayment from the loan's account; `amount: null` pays off the whole loan and closes it. */
export function useRepayLoan() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, amount, idempotencyKey }: { id: number; amount: string | null; idempotencyKey: string }) =>
      amount === null
        ? unwrap(
            api.POST('/api/v1/loans/{id}/close/', {
              params: { path: { id }, header: { 'Idempotency-Key': idempotencyKey } },
            }),
          )
        : unwrap(
            api.POST('/api/v1/loans/{id}/repayments/', {
              params: { path: { id }, header: { 'Idempotency-Key': idempotencyKey } },
              body: { amount },
            }),
          ),
    // Even a failed or timed-out attempt may have paid: refetch the loan and the balances.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: loanKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['accounts'] });
      void queryClient.invalidateQueries({ queryKey: ['transactions'] });
    },
  });
}

export const LOAN_STATUS: Record<string, { label: string; tone: 'neutral' | 'success' | 'danger' | 'warn' | 'info' }> = {
  submitted: { label: 'Submitted', tone: 'info' },
  under_review: { label: 'Under review', tone: 'warn' },
  approved: { label: 'Approved', tone: 'success' },
  rejected: { label: 'Rejected', tone: 'danger' },
  disbursed: { label: 'Active', tone: 'success' },
  closed: { label: 'Closed', tone: 'neutral' },
};

export const PURPOSES: Record<LoanApplyInput['purpose'], string> = {
  new_car: 'New car',
  used_car: 'Used car',
  furniture: 'Furniture',
  electronics: 'Electronics',
  appliances: 'Appliances',
  repairs: 'Repairs',
  education: 'Education',
  retraining: 'Retraining',
  business: 'Business',
  home: 'Home',
  other: 'Other',
};

/** "0.2312" -> "23.1%": the model's probability of default, a ratio (not money). */
export function formatProbability(probability: string): string {
  return `${(Number(probability) * 100).toFixed(1)}%`;
}
