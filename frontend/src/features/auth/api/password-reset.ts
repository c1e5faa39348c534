import { useMutation } from '@tanstack/react-query';

import { api, unwrap } from '@/lib/api/client';

/** Emails a one-time link; the answer is the same whether or not the address is known. */
export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: (email: string) => unwrap(api.POST('/api/v1/auth/password/reset/', { body: { email } })),
  });
}

/** From the emailed link (`/reset-password?uid=…&token=…`): works once, ends every session. */
export function useConfirmPasswordReset() {
  return useMutation({
    mutationFn: (input: { uid: string; token: string; new_password: string }) =>
      unwrap(api.POST('/api/v1/auth/password/reset/confirm/', { body: input })),
  });
}
