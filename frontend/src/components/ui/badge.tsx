import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'success' | 'danger' | 'warn' | 'info';

export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge${tone === 'neutral' ? '' : ` badge-${tone}`}`}>{children}</span>;
}
