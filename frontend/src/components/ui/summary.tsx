import type { ReactNode } from 'react';

/** Label/value rows (receipts, confirmations, account details). Rows without a value are left out. */
export function Summary({ rows }: { rows: [label: string, value: ReactNode][] }) {
  return (
    <dl className="summary">
      {rows
        .filter(([, value]) => value !== null && value !== undefined && value !== false && value !== '')
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}
