import { Badge } from '@/components/ui/badge';
import { ShieldIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { formatDateTime } from '@/lib/format';

import { LOGIN_REASONS, useLogins } from '../api/security';

/** A short device name from a user agent: enough to spot "that was not me". */
function device(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Chrome\//.test(userAgent) ? 'Chrome' : /Firefox\//.test(userAgent) ? 'Firefox' : /Safari\//.test(userAgent) ? 'Safari' : 'Browser';
  const os = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Windows/.test(userAgent) ? 'Windows' : /Mac OS/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}

export function RecentLogins() {
  const logins = useLogins(10);
  if (logins.isPending) return <LoadingRows rows={3} label="Loading sign-ins" />;
  if (logins.error) return <ErrorState error={logins.error} onRetry={() => logins.refetch()} />;
  if (!logins.data.length) return <EmptyState title="No sign-ins yet" icon={<ShieldIcon />} />;
  return (
    <ul className="tx-list" aria-label="Recent sign-ins">
      {logins.data.map((event) => (
        <li key={event.id} className="tx">
          <span className="tx-icon">
            <ShieldIcon />
          </span>
          <div style={{ minWidth: 0 }}>
            <div className="tx-title">{device(event.user_agent)}</div>
            <div className="tx-sub">
              {event.created_at ? formatDateTime(event.created_at) : ''} · {event.ip_address || 'unknown address'}
            </div>
          </div>
          <div className="tx-amount">
            <Badge tone={event.success === false ? 'danger' : 'neutral'}>{LOGIN_REASONS[event.reason] ?? event.reason}</Badge>
          </div>
        </li>
      ))}
    </ul>
  );
}
