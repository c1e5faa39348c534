import { ArrowInIcon, ArrowOutIcon, ListIcon } from '@/components/ui/icons';
import { Amount } from '@/components/ui/money';
import { EmptyState } from '@/components/ui/states';
import { formatDateTime, KIND_LABELS, maskAccountNumber } from '@/lib/format';

import type { Entry } from '../api/transactions';

type Props = {
  entries: Entry[];
  /** Currency per account number (entries carry the account, the account carries the currency). */
  currencyOf: (account: string) => string;
  /** Show which account each entry is on (history across accounts). */
  showAccount?: boolean;
  /** Show the running balance after each entry (statements). */
  showBalance?: boolean;
  emptyTitle?: string;
};

/** Movements as a list: icon by direction, description, when, signed amount (money in in green). */
export function EntryList({ entries, currencyOf, showAccount, showBalance, emptyTitle = 'No transactions yet' }: Props) {
  if (!entries.length) return <EmptyState title={emptyTitle} icon={<ListIcon />} />;
  return (
    <ul className="tx-list">
      {entries.map((entry) => {
        const incoming = !entry.amount.startsWith('-');
        const currency = currencyOf(entry.account);
        return (
          <li key={entry.id} className="tx">
            <span className="tx-icon" data-direction={incoming ? 'in' : 'out'}>
              {incoming ? <ArrowInIcon /> : <ArrowOutIcon />}
            </span>
            <div style={{ minWidth: 0 }}>
              <div className="tx-title">{entry.description || KIND_LABELS[entry.kind] || entry.kind}</div>
              <div className="tx-sub">
                {KIND_LABELS[entry.kind] ?? entry.kind} · {formatDateTime(entry.created_at)}
                {showAccount && <> · {maskAccountNumber(entry.account)}</>}
              </div>
            </div>
            <div className="tx-amount">
              <Amount value={entry.amount} currency={currency} signed />
              {showBalance && (
                <div className="tx-sub">
                  Bal. <Amount value={entry.balance_after} currency={currency} />
                </div>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
