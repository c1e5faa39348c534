import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { EmptyState } from '@/components/ui/states';
import { formatDayMonth } from '@/lib/format';
import { amountForPlot, formatMoney } from '@/lib/money';

import type { BalancePoint } from '../utils/summaries';

const compact = new Intl.NumberFormat('en-IN', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * Total balance per day. Recharts needs numbers to place points; the tooltip still prints
 * the exact decimal string, and no sum is ever taken of the plotted numbers.
 */
export function BalanceChart({ points, currency }: { points: BalancePoint[]; currency: string }) {
  if (points.length < 2) return <EmptyState title="Not enough history yet" />;
  const data = points.map((p) => ({ ...p, y: amountForPlot(p.balance) }));
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className="visually-hidden">
        Total balance from {formatDayMonth(first.day)} ({formatMoney(first.balance, currency)}) to{' '}
        {formatDayMonth(last.day)} ({formatMoney(last.balance, currency)}).
      </figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <defs>
              <linearGradient id="balance-fill" x1="0" y1="0" x2="0" y2="1">
                <stop offset="0%" stopColor="var(--brand)" stopOpacity={0.35} />
                <stop offset="100%" stopColor="var(--brand)" stopOpacity={0} />
              </linearGradient>
            </defs>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
            <XAxis
              dataKey="day"
              tickFormatter={formatDayMonth}
              tick={{ fill: 'var(--muted)', fontSize: 12 }}
              axisLine={false}
              tickLine={false}
              minTickGap={24}
            />
            <YAxis
              width={56}
              tickFormatter={(v: number) => compact.format(v)}
              tick={{ fill: 'var(--muted)', fontSize: 12 }}
              axisLine={false}
              tickLine={false}
              domain={['auto', 'auto']}
            />
            <Tooltip
              contentStyle={{
                background: 'var(--surface)',
                border: '1px solid var(--border)',
                borderRadius: 12,
                color: 'var(--text)',
              }}
              labelFormatter={(day) => formatDayMonth(String(day))}
              formatter={(_value, _name, item) => [formatMoney((item.payload as BalancePoint).balance, currency), 'Balance']}
            />
            <Area
              type="monotone"
              dataKey="y"
              stroke="var(--brand)"
              strokeWidth={2.5}
              fill="url(#balance-fill)"
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
