import { Button } from '@/components/ui/button';
import { formatDate } from '@/lib/format';

import { useAnnouncements, useDismissAnnouncement } from '../api/notifications';

const TONE = { info: 'alert-info', warning: 'alert-warn', critical: '' } as const;

/** The bank's active announcements not yet dismissed, above the dashboard. */
export function AnnouncementBanner() {
  const announcements = useAnnouncements();
  const dismiss = useDismissAnnouncement();
  const unread = (announcements.data ?? []).filter((a) => !a.is_read);
  if (!unread.length) return null;
  return (
    <section aria-label="Announcements" className="stack" style={{ gap: '0.75rem' }}>
      {unread.map((a) => (
        <div key={a.id} className={`alert ${TONE[a.severity ?? 'info']}`} role={a.severity === 'critical' ? 'alert' : 'status'}>
          <div className="stack" style={{ gap: '0.25rem', flex: 1 }}>
            <strong>{a.title}</strong>
            <span>{a.body}</span>
            <span className="tx-sub">Since {formatDate(a.starts_at)}</span>
          </div>
          <Button variant="ghost" size="sm" onClick={() => dismiss.mutate(a.id)} aria-label={`Dismiss: ${a.title}`}>
            Dismiss
          </Button>
        </div>
      ))}
    </section>
  );
}
