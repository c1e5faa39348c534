import { ChartIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { EmptyState } from '@/components/ui/states';

import { categoryShares, type SpendingCategory } from '../api/spending';

const LABELS: Record<string, string> = {};
const label = (category: string) =>
  LABELS[category] ?? category.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** This month's spending by category, largest first, each with its exact amount and share. */
export function CategoryBreakdown({ categories, currency }: { categories: SpendingCategory[]; currency: string }) {
  if (!categories.length) return <EmptyState title="No spending this month yet" icon={<ChartIcon />} />;
  const shares = categoryShares(categories, currency);
  return (
    <ul className="category-list" aria-label="Spending by category">
      {shares.map((c) => (
        <li key={c.category}>
          <div className="spread">
            <span>{label(c.category)}</span>
            <span className="tabular">
              <Amount value={c.amount} currency={currency} /> <span className="tx-sub">{c.percent}%</span>
            </span>
          </div>
          <div className="category-bar" aria-hidden="true">
            <span style={{ width: `${Math.max(c.percent, 1)}%` }} />
          </div>
        </li>
      ))}
    </ul>
  );
}
