import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';

export const ARTIFACTS = 'e2e/artifacts';

/** Demo customers seeded by `manage.py seed_demo` (passwords are demo-only). */
export const demo = (name: 'arjun' | 'priya' | 'rahul') => ({ username: name, password: `${name}-demo-2026` });

export type ApiAccount = { number: string; balance: string; nickname: string; account_type: { code: string; name: string } };

/** The bank's own view (through the API) to check what the browser showed. */
export async function apiAccounts(request: APIRequestContext, user: { username: string; password: string }) {
  const token = await request.post('/api/v1/auth/token/', { data: user });
  expect(token.ok()).toBeTruthy();
  const { access } = (await token.json()) as { access: string };
  const response = await request.get('/api/v1/accounts/', { headers: { Authorization: `Bearer ${access}` } });
  expect(response.ok()).toBeTruthy();
  return ((await response.json()) as { results: ApiAccount[] }).results;
}

export async function signIn(page: Page, user: { username: string; password: string }) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('total-balance')).toContainText('₹');
}

/** Exact paise from a decimal string, for comparing balances without floats. */
export const paise = (amount: string) => {
  const [whole = '0', fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  return amount.startsWith('-') ? -value : value;
};

export const inr = (amount: string) =>
  new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' }).format(amount as unknown as number);

export async function expectNoSeriousA11yViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join(' | ')}`);
  expect(report).toEqual([]);
}

/** A brand-new customer through the API (tests that change passwords or PINs leave the demo ones alone). */
export async function registerCustomer(request: APIRequestContext, prefix: string) {
  const user = { username: `${prefix}${Date.now()}`, password: 'Godavari-delta-2026' };
  const response = await request.post('/api/v1/auth/register/', {
    data: { ...user, email: `${user.username}@example.in`, first_name: 'Meera', last_name: 'Iyer' },
  });
  expect(response.ok()).toBeTruthy();
  return user;
}
