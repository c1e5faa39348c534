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
