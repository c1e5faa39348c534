/**
 * Dashboard arithmetic, exact: every sum is BigInt minor units via lib/money.
 */
import { localDay } from '@/lib/format';
import { fromMinor, toMinor } from '@/lib/money';

export type StatementEntry = { amount: string; balance_after: string; created_at: string; transaction: number };
export type AccountStatement = {
  currency: string;
  balance: string;
  /** Newest first, as the API sends them. */
  entries: StatementEntry[];
  /** True when older entries exist than those fetched. */
  truncated: boolean;
};
export type BalancePoint = { day: string; balance: string };

/**
 * Total closing balance per calendar day over the last `days` days (oldest first) for the
 * accounts in `currency`. Each account's balance on a day is the running balance after its
 * last entry on or before that day. Where a statement was cut short, the chart starts at
 * the oldest day it can state exactly.
 */
export function balanceHistory(
  statements: AccountStatement[],
  currency: string,
  days: number,
  today: Date = new Date(),
): BalancePoint[] {
  const mine = statements.filter((s) => s.currency === currency);
  const dayList: string[] = [];
  for (let i = days - 1; i >= 0; i -= 1) {
    const date = new Date(today);
    date.setDate(today.getDate() - i);
    dayList.push(localDay(date));
  }
  const earliestExact = mine
    .filter((s) => s.truncated && s.entries.length)
    .map((s) => localDay(s.entries[s.entries.length - 1]!.created_at))
    .sort()
    .pop();
  const window = earliestExact ? dayList.filter((d) => d >= earliestExact) : dayList;

  return window.map((day) => {
    let total = 0n;
    for (const statement of mine) {
      const last = statement.entries.find((e) => localDay(e.created_at) <= day);
      if (last) total += toMinor(last.balance_after, currency);
      else if (!statement.entries.length) total += toMinor(statement.balance, currency);
      else if (statement.truncated) {
        const oldest = statement.entries[statement.entries.length - 1]!;
        total += toMinor(oldest.balance_after, currency) - toMinor(oldest.amount, currency);
      } // else: the account had no money yet on that day
    }
    return { day, balance: fromMinor(total, currency) };
  });
}

export type Flow = { moneyIn: string; moneyOut: string };

/**
 * Money in and out across the customer's accounts, leaving out transfers between their own
 * accounts (a journal with legs on two of them), which move nothing in or out.
 */
export function monthFlow(
  entries: { amount: string; transaction: number; account: string }[],
  currencyOf: (account: string) => string,
  currency: string,
): Flow {
  const legs = new Map<number, number>();
  for (const e of entries) legs.set(e.transaction, (legs.get(e.transaction) ?? 0) + 1);
  let moneyIn = 0n;
  let moneyOut = 0n;
  for (const e of entries) {
    if ((legs.get(e.transaction) ?? 0) > 1 || currencyOf(e.account) !== currency) continue;
    const minor = toMinor(e.amount, currency);
    if (minor > 0n) moneyIn += minor;
    else moneyOut -= minor;
  }
  return { moneyIn: fromMinor(moneyIn, currency), moneyOut: fromMinor(moneyOut, currency) };
}

/** Drop the leading days before there was any money (a new customer's chart starts at day one), keeping at least `min` days. */
export function trimQuietStart(points: BalancePoint[], min: number): BalancePoint[] {
  const first = points.findIndex((p) => !/^-?0*\.?0*$/.test(p.balance));
  if (first <= 0) return points;
  return points.slice(Math.min(first, Math.max(0, points.length - min)));
}
