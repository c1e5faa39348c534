import { ErrorState, LoadingRows } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';

import { KIND_NAMES, useNotificationPreferences, useSetNotificationPreference } from '../api/notifications';

/** A row per kind, a checkbox per channel; each change is saved at once. */
export function NotificationPreferences() {
  const preferences = useNotificationPreferences();
  const save = useSetNotificationPreference();
  const notify = useToast();
  if (preferences.isPending) return <LoadingRows rows={4} label="Loading preferences" />;
  if (preferences.error) return <ErrorState error={preferences.error} onRetry={() => preferences.refetch()} />;
  const set = (kind: string, channel: 'in_app' | 'email', value: boolean) =>
    save.mutate(
      { [kind]: { [channel]: value } },
      { onSuccess: () => notify('Saved'), onError: (error) => notify(errorMessage(error), 'error') },
    );
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">How each kind of notification reaches you</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">In the app</th>
            <th scope="col">Email</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(preferences.data).map(([kind, channels]) => (
            <tr key={kind}>
              <th scope="row" style={{ fontWeight: 500, textTransform: 'none', fontSize: '0.9rem', letterSpacing: 'normal', color: 'var(--text)' }}>
                {KIND_NAMES[kind] ?? kind}
              </th>
              {(['in_app', 'email'] as const).map((channel) => (
                <td key={channel}>
                  <input
                    type="checkbox"
                    checked={!!channels[channel]}
                    disabled={save.isPending}
                    onChange={(e) => set(kind, channel, e.target.checked)}
                    aria-label={`${KIND_NAMES[kind] ?? kind}: ${channel === 'in_app' ? 'in the app' : 'email'}`}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
