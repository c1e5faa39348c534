import { useMutation } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';

export type RegisterInput = components['schemas']['RegisterInputRequest'];

export function useRegister() {
  return useMutation({
    mutationFn: (input: RegisterInput) => unwrap(api.POST('/api/v1/auth/register/', { body: input })),
  });
}
