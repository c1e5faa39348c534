import { expect, test } from '@playwright/test';

import { ARTIFACTS, demo, expectNoSeriousA11yViolations, inr, signIn } from './helpers';
import type { ApiAccount } from './helpers';

test('apply for a loan: the risk estimate first, then the application and its status', async ({ page }) => {
  await signIn(page, demo('arjun'));
  await page.goto('/loans');
  await expect(page.getByRole('heading', { name: 'Loans' })).toBeVisible();
  await page.getByRole('link', { name: 'Apply for a loan' }).click();

  await page.getByLabel('Amount').fill('1,50,000');
  await page.getByLabel('Term (months)').fill('24');
  await page.getByLabel('Purpose').selectOption('electronics');
  await page.getByLabel('Age').fill('34');
  await page.getByLabel('Monthly income').fill('85000');
  await page.getByLabel('Years in this work').fill('6');
  await page.getByLabel('Years at this address').fill('4');
  await page.getByLabel('Money in savings').fill('120000');
  await page.getByRole('button', { name: 'Estimate my risk' }).click();

  const estimate = page.getByTestId('risk-estimate');
  await expect(estimate).toContainText(/(low|medium|high) risk/);
  await expect(estimate).toContainText('First monthly payment');
  await expect(estimate).toContainText('₹');
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${ARTIFACTS}/loan-apply.png`, fullPage: true });

  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/\/loans\/\d+$/);
  await expect(page.getByRole('heading', { name: /Electronics loan #\d+/ })).toBeVisible();
  await expect(page.getByText(/Submitted|Under review/).first()).toBeVisible();

  await page.getByRole('link', { name: 'Loans' }).first().click();
  await expect(page.getByRole('link', { name: /Electronics loan #\d+/ }).first()).toBeVisible();
  await expectNoSeriousA11yViolations(page);
});

test('a disbursed loan shows its schedule and takes a repayment once, however often Pay is clicked', async ({
  page,
  request,
}) => {
  const token = async (user: { username: string; password: string }) => {
    const response = await request.post('/api/v1/auth/token/', { data: user });
    return { Authorization: `Bearer ${((await response.json()) as { access: string }).access}` };
  };
  const arjun = await token(demo('arjun'));
  // One token for every API call here: sign-ins are rate-limited per user, and the suite signs Arjun in often.
  const accounts = await request.get('/api/v1/accounts/', { headers: arjun });
  const account = ((await accounts.json()) as { results: ApiAccount[] }).results.find((a) => a.account_type.code === 'savings')!;
  const profile = {
    product: 'personal', amount: '60000.00', term_months: 12, purpose: 'repairs', checking_balance: '20000.00',
    savings_balance: '90000.00', employment_years: 8, monthly_income: '95000.00', credit_history: 'existing_paid_duly',
    other_debtors: 'none', residence_years: 5, property: 'real_estate', age: 41, other_installment_plans: 'none',
    housing: 'own', existing_credits: 1, job: 'skilled', dependants: 1, has_telephone: true, account: account.number,
  };
  const applied = await request.post('/api/v1/loans/', { data: profile, headers: arjun });
  expect(applied.status()).toBe(201);
  const loan = (await applied.json()) as { id: number };
  // A loan officer approves and pays it out (the staff side is not this app).
  const officer = await token({ username: 'loanofficer', password: 'loans-demo-2026' });
  const decided = await request.post(`/api/v1/loans/${loan.id}/decision/`, {
    data: { outcome: 'approve', reason: 'E2E: good history' },
    headers: officer,
  });
  expect(decided.status()).toBe(200);
  const disbursed = await request.post(`/api/v1/loans/${loan.id}/disburse/`, {
    headers: { ...officer, 'Idempotency-Key': `e2e-disburse-${loan.id}` },
  });
  expect(disbursed.status()).toBe(200);

  const keys: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith(`/loans/${loan.id}/repayments/`)) keys.push(r.headers()['idempotency-key'] ?? '');
  });
  await signIn(page, demo('arjun'));
  await page.goto(`/loans/${loan.id}`);
  await expect(page.getByText('Active', { exact: true })).toBeVisible();
  const schedule = page.getByRole('region', { name: 'Repayment schedule' });
  await expect(schedule.getByRole('row')).toHaveCount(13);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${ARTIFACTS}/loan-detail.png`, fullPage: true });

  await page.getByRole('button', { name: 'Repay' }).click();
  const dialog = page.getByRole('dialog', { name: 'Repay' });
  await dialog.getByLabel('Amount').fill('5,000');
  await dialog.getByRole('button', { name: 'Pay now' }).dblclick();
  await expect(page.getByText('Paid ₹5,000.00')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Payments' })).toContainText(inr('5000.00'));
  expect(new Set(keys).size).toBe(1);
  const repayments = await request.get(`/api/v1/loans/${loan.id}/repayments/`, { headers: arjun });
  expect(((await repayments.json()) as { results: unknown[] }).results).toHaveLength(1);
});

test('open a support ticket, reply in its thread, follow its status', async ({ page }) => {
  const subject = `E2E card question ${Date.now()}`;
  await signIn(page, demo('priya'));
  await page.goto('/support');
  await page.getByRole('button', { name: 'New ticket' }).click();
  const dialog = page.getByRole('dialog', { name: 'Contact support' });
  await dialog.getByLabel('It is about').selectOption('card');
  await dialog.getByLabel('Subject').fill(subject);
  await dialog.getByLabel('Message').fill('My debit card was declined at a shop yesterday.');
  await expectNoSeriousA11yViolations(page);
  await dialog.getByRole('button', { name: 'Send' }).click();

  await expect(page.getByRole('heading', { name: subject })).toBeVisible();
  await expect(page.getByText('Open', { exact: true })).toBeVisible();
  await page.getByLabel('Your reply').fill('It was at Big Bazaar, around 6 pm.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  const messages = page.getByRole('list', { name: 'Messages' }).getByRole('listitem');
  await expect(messages).toHaveCount(2);
  await expect(messages.nth(1)).toContainText('Big Bazaar');
  await page.screenshot({ path: `${ARTIFACTS}/ticket.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);

  await page.getByRole('link', { name: 'Support' }).first().click();
  await expect(page.getByRole('link', { name: subject })).toBeVisible();
});

test('notifications: the list, mark all read, and a preference saved', async ({ page }) => {
  await signIn(page, demo('arjun'));
  await page.getByRole('link', { name: 'Notifications' }).first().click();
  const list = page.getByRole('list', { name: 'Notifications' });
  await expect(list.getByRole('listitem').first()).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${ARTIFACTS}/notifications.png`, fullPage: true });
  await page.getByRole('button', { name: 'Mark all read' }).click();
  await expect(page.getByText('All marked read')).toBeVisible();
  await expect(list.getByRole('button', { name: /^Mark read/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Unread' }).click();
  await expect(page.getByText('Nothing unread')).toBeVisible();

  const email = page.getByRole('checkbox', { name: 'Money received: email' });
  const before = await email.isChecked();
  await email.click();
  await expect(page.getByText('Saved')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Money received: email' })).toBeChecked({ checked: !before });
});

test('insights: forecast, categories, monthly trend and alerts from the real spending API', async ({ page }) => {
  await signIn(page, demo('arjun'));
  await page.getByRole('link', { name: 'Insights' }).first().click();
  await expect(page.getByRole('heading', { name: 'Insights' })).toBeVisible();
  await expect(page.getByTestId('forecast')).toContainText('₹');
  await expect(page.getByRole('heading', { name: 'Money in and out by month' })).toBeVisible();
  await expect(page.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Risk alerts' })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${ARTIFACTS}/insights.png`, fullPage: true });
  await page.getByRole('button', { name: '12 months' }).click();
  await expect(page.getByRole('button', { name: '12 months' })).toHaveAttribute('aria-pressed', 'true');
});
