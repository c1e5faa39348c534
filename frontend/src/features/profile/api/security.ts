import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';
import { stepUpHeaders, type StepUp } from '@/lib/api/step-up';
import { meQueryKey } from '@/lib/auth/session';

export type LoginEvent = components['schemas']['LoginEventOutput'];
export type TotpEnrolment = components['schemas']['OtpTotpEnrolmentOutput'];

const otpKey = ['auth', 'otp'] as const;

export function useLogins(size = 10) {
  return useQuery({
    queryKey: ['auth', 'logins', size],
    queryFn: async () => (await unwrap(api.GET('/api/v1/auth/logins/', { params: { query: { page_size: size } } }))).results,
  });
}

export function useOtpStatus() {
  return useQuery({ queryKey: otpKey, queryFn: () => unwrap(api.GET('/api/v1/auth/otp/')) });
}

export function useUpdateContact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ input, stepUp }: { input: components['schemas']['ContactUpdateInputRequest']; stepUp?: StepUp }) =>
      unwrap(api.POST('/api/v1/auth/contact/', { params: { header: stepUpHeaders(stepUp) }, body: input })),
    onSuccess: (me) => queryClient.setQueryData(meQueryKey, me),
  });
}

/** 204, and every session ends (all tokens revoked): the caller signs in again. */
export function useChangePassword() {
  return useMutation({
    mutationFn: ({ input, stepUp }: { input: components['schemas']['PasswordChangeInputRequest']; stepUp?: StepUp }) =>
      unwrap(api.POST('/api/v1/auth/password/change/', { params: { header: stepUpHeaders(stepUp) }, body: input })),
  });
}

/** Set the transaction PIN, or change it: then the old PIN (X-Transaction-PIN) or a code proves it is you. */
export function useSetPin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ input, stepUp }: { input: components['schemas']['PinSetInputRequest']; stepUp?: StepUp }) =>
      unwrap(api.POST('/api/v1/auth/pin/', { params: { header: stepUpHeaders(stepUp) }, body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}

export function useStartTotp() {
  return useMutation({
    mutationFn: (password: string) => unwrap(api.POST('/api/v1/auth/otp/totp/', { body: { password } })),
  });
}

export function useConfirmTotp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/v1/auth/otp/totp/confirm/', { body: { code } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: otpKey });
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
  });
}

export function useNewBackupCodes() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ password, stepUp }: { password: string; stepUp?: StepUp }) =>
      unwrap(api.POST('/api/v1/auth/otp/backup-codes/', { params: { header: stepUpHeaders(stepUp) }, body: { password } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: otpKey }),
  });
}

export function useDisableOtp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ password, stepUp }: { password: string; stepUp?: StepUp }) =>
      unwrap(api.POST('/api/v1/auth/otp/disable/', { params: { header: stepUpHeaders(stepUp) }, body: { password } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: otpKey });
      void queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
  });
}

export const LOGIN_REASONS: Record<string, string> = {
  ok: 'Signed in',
  bad_credentials: 'Wrong password',
  locked: 'Refused: locked',
  otp_challenge: 'Asked for a code',
  otp_invalid: 'Wrong code',
  otp_throttled: 'Too many codes',
  logout: 'Signed out',
  password_changed: 'Signed out: password changed',
  password_reset: 'Signed out: password reset',
  staff: 'Ended by the bank',
};
