import type { ReactNode } from 'react';

import { errorMessage } from '@/lib/api/problem';

import { Button } from './button';
import { SearchIcon } from './icons';

export function Skeleton({ height = 16, width = '100%' }: { height?: number; width?: number | string }) {
  return <div className="skeleton" style={{ height, width }} aria-hidden="true" />;
}

export function LoadingRows({ rows = 4, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div className="stack" role="status" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={40} />
      ))}
    </div>
  );
}

export function EmptyState({ title, children, icon }: { title: string; children?: ReactNode; icon?: ReactNode }) {
  return (
    <div className="empty">
      {icon ?? <SearchIcon />}
      <strong>{title}</strong>
      {children}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="alert" role="alert">
      <div className="stack" style={{ gap: '0.5rem' }}>
        <span>{errorMessage(error)}</span>
        {onRetry && (
          <div>
            <Button variant="secondary" size="sm" onClick={onRetry}>
              Try again
            </Button>
          </div>
        )}
      </div>
    </div>
  );
}

export function Alert({ tone = 'error', children }: { tone?: 'error' | 'info' | 'success'; children: ReactNode }) {
  return (
    <div className={`alert${tone === 'error' ? '' : ` alert-${tone}`}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
