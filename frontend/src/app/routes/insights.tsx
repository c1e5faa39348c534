import { useState } from 'react';

import { Badge } from '@/components/ui/badge';
import { Card, CardHead, PageHead } from '@/components/ui/card';
import { ShieldIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { EmptyState, ErrorState, LoadingRows } from '@/components/ui/states';
import { Summary } from '@/components/ui/summary';
import { useSpending } from '@/features/insights/api/spending';
import { CategoryBreakdown } from '@/features/insights/components/category-breakdown';
import { formatMonth, MonthlyTrend } from '@/features/insights/components/monthly-trend';
import { formatDateTime } from '@/lib/format';

const VERDICT = { safe: 'neutral', suspicious: 'warn', critical: 'danger' } as const;
const ALERT_STATUS: Record<string, string> = {
  open: 'Being checked',
  released: 'Checked: paid',
  rejected: 'Stopped by the bank',
  dismissed: 'Checked: fine',
  confirmed: 'Confirmed fraud',
};

export function InsightsRoute() {
  const [months, setMonths] = useState(6);
  const spending = useSpending(months);

  return (
    <>
      <PageHead
        title="Insights"
        subtitle="Where your money goes, where this month is heading, and anything we flagged."
        action={
          <div className="segmented" role="group" aria-label="Months shown">
            {[3, 6, 12].map((n) => (
              <button key={n} type="button" aria-pressed={months === n} onClick={() => setMonths(n)}>
                {n} months
              </button>
            ))}
          </div>
        }
      />
      {spending.isPending ? (
        <LoadingRows rows={6} label="Loading insights" />
      ) : spending.error ? (
        <ErrorState error={spending.error} onRetry={() => spending.refetch()} />
      ) : (
        <div className="stack" style={{ gap: '1.25rem' }}>
          <div className="grid grid-2">
            <Card className="hero" aria-label="This month's forecast">
              <span className="label">This month, projected spending</span>
              <div className="hero-amount tabular" data-testid="forecast">
                <Amount value={spending.data.forecast.projected_month_expenses} currency={spending.data.currency} />
              </div>
              <div className="hero-stats">
                <div>
                  <span>Spent so far</span>
                  <strong className="tabular">
                    <Amount value={spending.data.forecast.spent_so_far} currency={spending.data.currency} />
                  </strong>
                </div>
                <div>
                  <span>A day, on average</span>
                  <strong className="tabular">
                    <Amount value={spending.data.forecast.daily_average} currency={spending.data.currency} />
                  </strong>
                </div>
                <div>
                  <span>Days left</span>
                  <strong className="tabular">{spending.data.forecast.days_left}</strong>
                </div>
              </div>
              <p style={{ opacity: 0.85, fontSize: '0.8rem', marginTop: '0.75rem' }}>How: {spending.data.forecast.method}.</p>
            </Card>
            <Card aria-labelledby="categories-title">
              <CardHead id="categories-title" title="This month by category" />
              <CategoryBreakdown categories={spending.data.categories} currency={spending.data.currency} />
            </Card>
          </div>
          <Card aria-labelledby="trend-title">
            <CardHead id="trend-title" title="Money in and out by month" />
            <MonthlyTrend months={spending.data.months} currency={spending.data.currency} />
            <Summary
              rows={spending.data.months
                .slice(-3)
                .reverse()
                .map((m) => [
                  formatMonth(m.month),
                  <span className="tabular">
                    net <Amount value={m.net} currency={spending.data.currency} signed />
                  </span>,
                ])}
            />
          </Card>
          <Card aria-labelledby="alerts-title">
            <CardHead id="alerts-title" title="Risk alerts" />
            {spending.data.alerts.length === 0 ? (
              <EmptyState title="Nothing flagged" icon={<ShieldIcon />}>
                We check every payment; anything unusual shows up here.
              </EmptyState>
            ) : (
              <ul className="tx-list" aria-label="Risk alerts">
                {spending.data.alerts.map((alert) => (
                  <li key={alert.id} className="tx">
                    <span className="tx-icon">
                      <ShieldIcon />
                    </span>
                    <div style={{ minWidth: 0 }}>
                      <div className="tx-title">
                        {alert.held ? 'Payment held for a check' : 'Payment flagged'} ·{' '}
                        {ALERT_STATUS[alert.status] ?? alert.status}
                      </div>
                      <div className="tx-sub">{formatDateTime(alert.created_at)}</div>
                    </div>
                    <div className="tx-amount">
                      <Amount value={alert.amount} currency={spending.data.currency} />
                      <div>
                        <Badge tone={VERDICT[alert.verdict as keyof typeof VERDICT] ?? 'neutral'}>{alert.verdict}</Badge>
                      </div>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
