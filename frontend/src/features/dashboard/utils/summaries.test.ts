import { describe, expect, it } from 'vitest';

import { balanceHistory, monthFlow, trimQuietStart, type AccountStatement } from './summaries';

const at = (day: string) => `${day}T10:00:00`;

describe('balanceHistory', () => {
  const today = new Date(2026, 10, 5); // 5 Nov 2026, local time

  it('sums each account’s closing balance per day, exactly', () => {
    const statements: AccountStatement[] = [
      {
        currency: 'INR',
        balance: '150.10',
        truncated: false,
        entries: [
          { amount: '50.05', balance_after: '150.10', created_at: at('2026-11-04'), transaction: 2 },
          { amount: '100.05', balance_after: '100.05', created_at: at('2026-11-02'), transaction: 1 },
        ],
      },
      {
        currency: 'INR',
        balance: '0.20',
        truncated: false,
        entries: [{ amount: '0.20', balance_after: '0.20', created_at: at('2026-11-03'), transaction: 3 }],
      },
      { currency: 'USD', balance: '99.00', truncated: false, entries: [] },
    ];
    expect(balanceHistory(statements, 'INR', 5, today)).toEqual([
      { day: '2026-11-01', balance: '0.00' },
      { day: '2026-11-02', balance: '100.05' },
      { day: '2026-11-03', balance: '100.25' },
      { day: '2026-11-04', balance: '150.30' },
      { day: '2026-11-05', balance: '150.30' },
    ]);
  });

  it('starts where a cut-short statement stops being exact', () => {
    const statements: AccountStatement[] = [
      {
        currency: 'INR',
        balance: '70.00',
        truncated: true,
        entries: [{ amount: '-30.00', balance_after: '70.00', created_at: at('2026-11-04'), transaction: 9 }],
      },
    ];
    expect(balanceHistory(statements, 'INR', 5, today)).toEqual([
      { day: '2026-11-04', balance: '70.00' },
      { day: '2026-11-05', balance: '70.00' },
    ]);
  });
});

describe('monthFlow', () => {
  it('counts money in and out but not moves between own accounts', () => {
    const entries = [
      { amount: '1000.00', transaction: 1, account: 'A' },
      { amount: '-250.50', transaction: 2, account: 'A' },
      { amount: '-500.00', transaction: 3, account: 'A' },
      { amount: '500.00', transaction: 3, account: 'B' },
    ];
    expect(monthFlow(entries, () => 'INR', 'INR')).toEqual({ moneyIn: '1000.00', moneyOut: '250.50' });
  });
});

describe('trimQuietStart', () => {
  const point = (day: string, balance: string) => ({ day, balance });
  it('starts at the first day with money, keeping a minimum window', () => {
    const points = [point('1', '0.00'), point('2', '0.00'), point('3', '0.00'), point('4', '5.00'), point('5', '6.00')];
    expect(trimQuietStart(points, 2).map((p) => p.day)).toEqual(['4', '5']);
    expect(trimQuietStart(points, 3).map((p) => p.day)).toEqual(['3', '4', '5']);
  });
});
