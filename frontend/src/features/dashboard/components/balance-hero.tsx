import { Link } from 'react-router';

import { Card } from '@/components/ui/card';
import { PlusIcon, SendIcon } from '@/components/ui/icons';
import { Skeleton } from '@/components/ui/states';
import { formatMoney, type Money } from '@/lib/money';

import type { Flow } from '../utils/summaries';

type Props = {
  totals: Money[] | undefined;
  flow: Flow | undefined;
  currency: string;
  accountCount: number;
  onOpenAccount: () => void;
};

export function BalanceHero({ totals, flow, currency, accountCount, onOpenAccount }: Props) {
  const primary = totals?.find((t) => t.currency === currency) ?? { amount: '0', currency };
  const others = totals?.filter((t) => t.currency !== currency) ?? [];
  return (
    <Card className="hero" aria-labelledby="total-balance-label">
      <span className="label" id="total-balance-label">
        Total balance · {accountCount} {accountCount === 1 ? 'account' : 'accounts'}
      </span>
      <div className="hero-amount tabular" data-testid="total-balance">
        {totals ? formatMoney(primary.amount, currency) : <Skeleton height={40} width={260} />}
      </div>
      {others.length > 0 && (
        <p className="tx-sub" style={{ color: 'rgb(255 255 255 / 80%)' }}>
          Also {others.map((o) => formatMoney(o.amount, o.currency)).join(' · ')}
        </p>
      )}
      <div className="hero-stats">
        <div>
          <span>Money in this month</span>
          <strong className="tabular">{flow ? formatMoney(flow.moneyIn, currency) : '—'}</strong>
        </div>
        <div>
          <span>Money out this month</span>
          <strong className="tabular">{flow ? formatMoney(flow.moneyOut, currency) : '—'}</strong>
        </div>
      </div>
      <div className="hero-actions">
        <Link to="/transfer" className="btn btn-secondary">
          <SendIcon width={18} height={18} /> Transfer
        </Link>
        <button type="button" className="btn btn-secondary" onClick={onOpenAccount}>
          <PlusIcon width={18} height={18} /> Open account
        </button>
      </div>
    </Card>
  );
}
