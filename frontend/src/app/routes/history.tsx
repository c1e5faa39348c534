import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import { Button } from '@/components/ui/button';
import { Card, PageHead } from '@/components/ui/card';
import { ErrorState, LoadingRows } from '@/components/ui/states';
import { DownloadIcon } from '@/components/ui/icons';
import { useToast } from '@/components/ui/toast';
import {
  currencyOf,
  downloadEverythingCsv,
  downloadMonthlyStatementPdf,
  recentMonths,
  useAccounts,
} from '@/features/accounts/api/accounts';
import { accountLabel } from '@/features/accounts/components/account-badges';
import { useTransactions, type HistoryFilters } from '@/features/transactions/api/transactions';
import { EntryList } from '@/features/transactions/components/entry-list';
import { HistoryFiltersForm } from '@/features/transactions/components/history-filters';
import { errorMessage } from '@/lib/api/problem';

const FILTER_NAMES = ['q', 'account', 'kind', 'direction', 'date_from', 'date_to', 'min_amount', 'max_amount'] as const;

/** Filters live in the URL: shareable, and Back undoes a filter. */
export function HistoryRoute() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => {
    const out: HistoryFilters = {};
    for (const name of FILTER_NAMES) {
      const value = params.get(name);
      if (value) out[name] = value;
    }
    return out;
  }, [params]);
  const accounts = useAccounts();
  const currencyByNumber = new Map((accounts.data ?? []).map((a) => [a.number, currencyOf(a)]));
  const history = useTransactions(filters);
  const entries = history.data?.pages.flatMap((page) => page.results) ?? [];
  const filtered = Object.keys(filters).length > 0;
  const notify = useToast();
  const [exporting, setExporting] = useState<null | 'csv' | 'pdf'>(null);
  const exportAs = async (format: 'csv' | 'pdf') => {
    setExporting(format);
    try {
      await (format === 'csv'
        ? downloadEverythingCsv()
        : downloadMonthlyStatementPdf(filters.account!, recentMonths(1)[0]!));
      notify(format === 'csv' ? 'History downloaded (CSV)' : "This month's statement downloaded (PDF)");
    } catch (error) {
      notify(errorMessage(error), 'error');
    } finally {
      setExporting(null);
    }
  };

  return (
    <>
      <PageHead
        title="Transaction history"
        subtitle="Every movement on your accounts, newest first."
        action={
          <div className="row" style={{ gap: '0.5rem', flexWrap: 'wrap' }}>
            <Button variant="secondary" onClick={() => exportAs('csv')} loading={exporting === 'csv'}>
              <DownloadIcon width={18} height={18} /> Export CSV
            </Button>
            {filters.account && (
              <Button variant="secondary" onClick={() => exportAs('pdf')} loading={exporting === 'pdf'}>
                <DownloadIcon width={18} height={18} /> This month (PDF)
              </Button>
            )}
          </div>
        }
      />
      <div className="stack" style={{ gap: '1.25rem' }}>
        <Card>
          <HistoryFiltersForm
            value={filters}
            accounts={(accounts.data ?? []).map((a) => ({ number: a.number, label: accountLabel(a) }))}
            onChange={(next) => setParams(next as Record<string, string>)}
          />
        </Card>
        <Card aria-label="Transactions" aria-busy={history.isFetching}>
          {history.isPending ? (
            <LoadingRows rows={6} />
          ) : history.error ? (
            <ErrorState error={history.error} onRetry={() => history.refetch()} />
          ) : (
            <>
              <EntryList
                entries={entries}
                currencyOf={(number) => currencyByNumber.get(number) ?? 'INR'}
                showAccount
                showBalance
                emptyTitle={filtered ? 'Nothing matches these filters' : 'No transactions yet'}
              />
              {history.hasNextPage && (
                <div style={{ textAlign: 'center', marginTop: '1rem' }}>
                  <Button variant="secondary" onClick={() => history.fetchNextPage()} loading={history.isFetchingNextPage}>
                    Show older
                  </Button>
                </div>
              )}
            </>
          )}
        </Card>
      </div>
    </>
  );
}
