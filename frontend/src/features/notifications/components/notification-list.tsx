import { Button } from '@/components/ui/button';
import { BellIcon } from '@/components/ui/icons';
import { EmptyState } from '@/components/ui/states';
import { formatDateTime } from '@/lib/format';

import { useMarkNotificationRead, type Notification } from '../api/notifications';

type Props = { notifications: Notification[]; emptyTitle?: string };

/** Newest first; unread ones are bold with a "Mark read" button. */
export function NotificationList({ notifications, emptyTitle = 'No notifications' }: Props) {
  const markRead = useMarkNotificationRead();
  if (!notifications.length) return <EmptyState title={emptyTitle} icon={<BellIcon />} />;
  return (
    <ul className="tx-list" aria-label="Notifications">
      {notifications.map((n) => {
        const unread = !n.read_at;
        return (
          <li key={n.id} className="tx" data-unread={unread}>
            <span className="tx-icon" data-direction={unread ? 'in' : undefined}>
              <BellIcon />
            </span>
            <div style={{ minWidth: 0 }}>
              <div className="tx-title" style={{ fontWeight: unread ? 700 : 500 }}>
                {unread && <span className="visually-hidden">Unread: </span>}
                {n.title}
              </div>
              {n.body && <div className="tx-sub notification-body">{n.body}</div>}
              <div className="tx-sub">{formatDateTime(n.created_at)}</div>
            </div>
            <div className="tx-amount">
              {unread && (
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => markRead.mutate(n.id)}
                  loading={markRead.isPending && markRead.variables === n.id}
                  aria-label={`Mark read: ${n.title}`}
                >
                  Mark read
                </Button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
