import { useState } from 'react';

import { Button } from '@/components/ui/button';
import { Card, CardHead, PageHead } from '@/components/ui/card';
import { ErrorState, LoadingRows } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { useMarkAllNotificationsRead, useNotifications } from '@/features/notifications/api/notifications';
import { AnnouncementBanner } from '@/features/notifications/components/announcement-banner';
import { NotificationList } from '@/features/notifications/components/notification-list';
import { NotificationPreferences } from '@/features/notifications/components/notification-preferences';

export function NotificationsRoute() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const notifications = useNotifications({ unreadOnly });
  const markAll = useMarkAllNotificationsRead();
  const notify = useToast();
  const anyUnread = (notifications.data ?? []).some((n) => !n.read_at);
  return (
    <div style={{ maxWidth: 760 }}>
      <PageHead
        title="Notifications"
        subtitle="Money in and out, sign-ins, replies and decisions."
        action={
          <Button
            variant="secondary"
            disabled={!anyUnread}
            loading={markAll.isPending}
            onClick={() => markAll.mutate(undefined, { onSuccess: () => notify('All marked read') })}
          >
            Mark all read
          </Button>
        }
      />
      <div className="stack" style={{ gap: '1.25rem' }}>
        <AnnouncementBanner />
        <div className="segmented" role="group" aria-label="Show">
          <button type="button" aria-pressed={!unreadOnly} onClick={() => setUnreadOnly(false)}>
            All
          </button>
          <button type="button" aria-pressed={unreadOnly} onClick={() => setUnreadOnly(true)}>
            Unread
          </button>
        </div>
        <Card aria-label="Notification list">
          {notifications.isPending ? (
            <LoadingRows rows={4} />
          ) : notifications.error ? (
            <ErrorState error={notifications.error} onRetry={() => notifications.refetch()} />
          ) : (
            <NotificationList
              notifications={notifications.data}
              emptyTitle={unreadOnly ? 'Nothing unread' : 'No notifications yet'}
            />
          )}
        </Card>
        <Card aria-labelledby="preferences-title">
          <CardHead id="preferences-title" title="How we tell you" />
          <NotificationPreferences />
        </Card>
      </div>
    </div>
  );
}
