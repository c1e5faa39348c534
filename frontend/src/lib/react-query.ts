import { QueryClient } from '@tanstack/react-query';

import { ApiError } from './api/problem';

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        // A refusal (4xx) will not change on retry; a dropped connection might.
        retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
      },
      // Money-moving calls carry an Idempotency-Key and are retried only by the person, on purpose.
      mutations: { retry: false },
    },
  });
}
