import { Badge, type Tone } from '@/components/ui/badge';

import type { Account } from '../api/accounts';

const STATUS: Record<string, { label: string; tone: Tone }> = {
  active: { label: 'Active', tone: 'success' },
  frozen: { label: 'Frozen', tone: 'info' },
  dormant: { label: 'Dormant', tone: 'warn' },
  closed: { label: 'Closed', tone: 'danger' },
};

export function AccountBadges({ account }: { account: Account }) {
  const status = STATUS[account.status ?? 'active'] ?? { label: account.status ?? '', tone: 'neutral' as Tone };
  return (
    <span className="row" style={{ gap: '0.4rem', flexWrap: 'wrap' }}>
      <Badge>{account.account_type.name}</Badge>
      <Badge tone={status.tone}>{status.label}</Badge>
    </span>
  );
}

/** What a person calls the account: their nickname, else the product name. */
export function accountLabel(account: Account): string {
  return account.nickname || account.account_type.name;
}
