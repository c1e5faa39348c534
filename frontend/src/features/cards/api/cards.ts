import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';

export type Card = components['schemas']['CardOutput'];
export type BlockReason = components['schemas']['CardBlockReasonEnum'];

const cardKeys = { all: ['cards'] as const };

/** Cards carry masked numbers only ("•••• 4242"): the full number never reaches the browser. */
export function useCards() {
  return useQuery({
    queryKey: cardKeys.all,
    queryFn: async () => (await unwrap(api.GET('/api/v1/cards/', { params: { query: { page_size: 100 } } }))).results,
  });
}

function useCardMutation<V>(call: (variables: V) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: call, onSuccess: () => queryClient.invalidateQueries({ queryKey: cardKeys.all }) });
}

export const useIssueCard = () =>
  useCardMutation((input: components['schemas']['CardIssueInputRequest']) => unwrap(api.POST('/api/v1/cards/', { body: input })));

export const useActivateCard = () =>
  useCardMutation(({ id, last4 }: { id: number; last4: string }) =>
    unwrap(api.POST('/api/v1/cards/{card_id}/activate/', { params: { path: { card_id: id } }, body: { last4 } })),
  );

export const useBlockCard = () =>
  useCardMutation(({ id, reason }: { id: number; reason: BlockReason }) =>
    unwrap(api.POST('/api/v1/cards/{card_id}/block/', { params: { path: { card_id: id } }, body: { reason } })),
  );

export const useUnblockCard = () =>
  useCardMutation((id: number) => unwrap(api.POST('/api/v1/cards/{card_id}/unblock/', { params: { path: { card_id: id } } })));

export const useCardLimit = () =>
  useCardMutation(({ id, daily_limit }: { id: number; daily_limit: string }) =>
    unwrap(api.POST('/api/v1/cards/{card_id}/limit/', { params: { path: { card_id: id } }, body: { daily_limit } })),
  );

export const CARD_STATUS = {
  issued: { label: 'Not activated', tone: 'warn' },
  active: { label: 'Active', tone: 'success' },
  blocked: { label: 'Blocked', tone: 'danger' },
  replaced: { label: 'Replaced', tone: 'neutral' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
} as const;

export const BLOCK_REASONS: Record<BlockReason, string> = {
  temporary: 'Just for now (I can unblock it)',
  lost: 'Lost',
  stolen: 'Stolen',
  damaged: 'Damaged',
  bank: 'Blocked by the bank',
};
