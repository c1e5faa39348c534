import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { EmptyState } from '@/components/ui/states';
import { amountForPlot, formatMoney } from '@/lib/money';

import type { Spending } from '../api/spending';

const compact = new Intl.NumberFormat('en-IN', { notation: 'compact', maximumFractionDigits: 1 });
const monthName = new Intl.DateTimeFormat('en-IN', { month: 'short', year: '2-digit' });
export const formatMonth = (month: string) => monthName.format(new Date(`${month}-01T00:00`));

/** Income against expenses per month: numbers place the bars, the tooltip prints the exact strings. */
export function MonthlyTrend({ months, currency }: { months: Spending['months']; currency: string }) {
  if (!months.length) return <EmptyState title="No months yet" />;
  const data = months.map((m) => ({ ...m, label: formatMonth(m.month), inY: amountForPlot(m.income), outY: amountForPlot(m.expenses) }));
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className="visually-hidden">
        {months.map((m) => `${formatMonth(m.month)}: in ${formatMoney(m.income, currency)}, out ${formatMoney(m.expenses, currency)}`).join('; ')}
      </figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
            <XAxis dataKey="label" tick={{ fill: 'var(--muted)', fontSize: 12 }} axisLine={false} tickLine={false} />
            <YAxis
              width={56}
              tickFormatter={(v: number) => compact.format(v)}
              tick={{ fill: 'var(--muted)', fontSize: 12 }}
              axisLine={false}
              tickLine={false}
            />
            <Tooltip
              contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', borderRadius: 12, color: 'var(--text)' }}
              formatter={(_value, name, item) => {
                const row = item.payload as Spending['months'][number];
                return name === 'Money in' ? [formatMoney(row.income, currency), name] : [formatMoney(row.expenses, currency), name];
              }}
            />
            <Legend />
            <Bar dataKey="inY" name="Money in" fill="var(--credit)" radius={[6, 6, 0, 0]} isAnimationActive={false} />
            <Bar dataKey="outY" name="Money out" fill="var(--brand)" radius={[6, 6, 0, 0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
