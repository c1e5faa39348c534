import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type components } from '@/lib/api/client';

export type Notification = components['schemas']['NotificationOutput'];
export type Announcement = components['schemas']['AnnouncementOutput'];

export const notificationKeys = {
  all: ['notifications'] as const,
  list: (unreadOnly: boolean) => ['notifications', { unreadOnly }] as const,
  announcements: ['announcements'] as const,
};

export function useNotifications({ unreadOnly = false, size = 50 }: { unreadOnly?: boolean; size?: number } = {}) {
  return useQuery({
    queryKey: [...notificationKeys.list(unreadOnly), size],
    queryFn: async () =>
      (
        await unwrap(
          api.GET('/api/v1/notifications/', {
            params: { query: { page_size: size, ...(unreadOnly ? { read_at__isnull: true } : {}) } },
          }),
        )
      ).results,
    refetchInterval: 60_000,
  });
}

export function useMarkNotificationRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/notifications/{notification_id}/read/', { params: { path: { notification_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function useMarkAllNotificationsRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/notifications/read-all/')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

/** Announcements active now for the caller (already-read ones included, flagged is_read). */
export function useAnnouncements() {
  return useQuery({
    queryKey: notificationKeys.announcements,
    queryFn: async () => (await unwrap(api.GET('/api/v1/announcements/', { params: { query: { page_size: 20 } } }))).results,
    staleTime: 5 * 60_000,
  });
}

export function useDismissAnnouncement() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/announcements/{announcement_id}/read/', { params: { path: { announcement_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationKeys.announcements }),
  });
}

export type Channels = { in_app?: boolean; email?: boolean };

/** Per kind of notification: show it in the app, email it, or both. */
export function useNotificationPreferences() {
  return useQuery({
    queryKey: ['notifications', 'preferences'],
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/notifications/preferences/'))).preferences as Record<string, Channels>,
  });
}

export function useSetNotificationPreference() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (preferences: Record<string, Channels>) =>
      unwrap(api.PUT('/api/v1/notifications/preferences/', { body: { preferences } })),
    onSuccess: (data) => queryClient.setQueryData(['notifications', 'preferences'], data.preferences),
  });
}

export const KIND_NAMES: Record<string, string> = {
  money_received: 'Money received',
  money_sent: 'Money sent',
  large_debit: 'Large debit',
  new_device_login: 'Sign-in from a new device',
  ticket_reply: 'Support replies',
  loan_decision: 'Loan decisions',
  standing_order_failed: 'Standing order failed',
  account_status: 'Account status changes',
  card: 'Card changes',
  beneficiary_added: 'Payee added',
  statement_ready: 'Statement ready',
};
