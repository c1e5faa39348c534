import type { components } from '@/lib/api/client';

type Account = components['schemas']['AccountOutput'];

const savingsType = {
  code: 'savings',
  name: 'Savings account',
  currency: 'INR' as const,
  minimum_balance: '1000.00',
  overdraft_limit: '0.00',
  interest_rate: '3.5000',
  per_transaction_limit: '200000.00',
  daily_debit_limit: '500000.00',
};
const branch = { code: '0001', name: 'Mumbai Fort', routing_code: '1010001' };

export function account(overrides: Partial<Account> = {}): Account {
  return {
    number: '1010001000000012',
    routing_code: '1010001',
    nickname: '',
    owner: 'arjun',
    owner_name: 'Arjun Mehta',
    branch,
    account_type: savingsType,
    currency: 'INR',
    status: 'active',
    balance: '98500.00',
    available_balance: '98500.00',
    overdraft_limit: '0.00',
    opened_at: '2026-11-01T10:00:00+05:30',
    closed_at: null,
    last_activity_at: null,
    ...overrides,
  };
}

/** A JWT-shaped token whose `exp` is `seconds` from now (signature irrelevant to the client). */
export function fakeJwt(seconds: number): string {
  const payload = btoa(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + seconds })).replace(/=+$/, '');
  return `eyJhbGciOiJIUzI1NiJ9.${payload}.signature`;
}

export const problem = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}) => ({
  type: `urn:bankingsystem:problem:${code}`,
  title: code,
  status,
  detail,
  code,
  ...extra,
});
