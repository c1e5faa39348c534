import { expect, test } from '@playwright/test';

import { apiAccounts, ARTIFACTS, demo, expectNoSeriousA11yViolations, inr, paise, signIn } from './helpers';

test('sign in and see the dashboard with every account', async ({ page, request }) => {
  const accounts = await apiAccounts(request, demo('arjun'));
  await signIn(page, demo('arjun'));

  const total = accounts.reduce((sum, a) => sum + paise(a.balance), 0n);
  const totalText = `${total / 100n}.${String(total % 100n).padStart(2, '0')}`;
  await expect(page.getByTestId('total-balance')).toHaveText(inr(totalText));
  for (const account of accounts) {
    await expect(page.getByRole('link', { name: new RegExp(account.number.slice(-4)) }).first()).toBeVisible();
    await expect(page.getByRole('link', { name: new RegExp(account.number.slice(-4)) }).first()).toContainText(inr(account.balance));
  }
  await expect(page.getByRole('heading', { name: 'Recent activity' })).toBeVisible();
  await expect(page.getByText('Monthly savings').first()).toBeVisible();
  await expect(page.locator('.recharts-area-curve')).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
});

test('Django serves the app: deep links get index.html, hashed assets are cached for good', async ({ request }) => {
  const page = await request.get('/accounts/1010001000000012?tab=statement');
  expect(page.status()).toBe(200);
  expect(page.headers()['cache-control']).toContain('no-cache');
  const html = await page.text();
  const script = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
  expect(script).toBeTruthy();
  const asset = await request.get(script!);
  expect(asset.status()).toBe(200);
  expect(asset.headers()['cache-control']).toContain('immutable');
  const api = await request.get('/api/v1/no-such-thing/');
  expect(api.status()).toBe(404);
  expect(api.headers()['content-type']).toContain('application/problem+json');
});

test('a bad password is refused in words', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Username').fill('arjun');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText(/credentials|active account/i);
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${ARTIFACTS}/login.png` });
});

test('transfer to another customer: double-clicking Send pays once, both balances and the history change', async ({
  page,
  request,
}) => {
  const [arjunBefore, priyaBefore] = [await apiAccounts(request, demo('arjun')), await apiAccounts(request, demo('priya'))];
  const source = arjunBefore.find((a) => a.account_type.code === 'savings')!;
  const target = priyaBefore[0]!;
  const note = `E2E dinner ${Date.now()}`;

  const keys: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/transfers/')) keys.push(r.headers()['idempotency-key'] ?? '');
  });

  await signIn(page, demo('arjun'));
  await page.getByRole('link', { name: 'Transfer' }).first().click();
  await page.getByLabel('From', { exact: true }).selectOption(source.number);
  await page.getByRole('button', { name: 'Someone else' }).click();
  await page.getByLabel("Recipient's account number").fill(target.number);
  await page.getByLabel('Amount').fill('1,234.50');
  await page.getByLabel('Note (optional)').fill(note);
  await expectNoSeriousA11yViolations(page);
  await page.getByRole('button', { name: 'Review transfer' }).click();

  const dialog = page.getByRole('dialog', { name: 'Confirm transfer' });
  await expect(dialog).toContainText('₹1,234.50');
  await page.screenshot({ path: `${ARTIFACTS}/transfer-confirm.png` });
  // Two clicks as fast as a person can: one Idempotency-Key, one payment.
  await dialog.getByRole('button', { name: /^Send/ }).dblclick();
  await expect(page.getByRole('heading', { name: 'Transfer complete' })).toBeVisible();
  await expect(page.getByText(note)).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}/transfer-receipt.png`, fullPage: true });

  // However many requests the double click made, they all carried one key.
  expect(keys.length).toBeGreaterThanOrEqual(1);
  expect(new Set(keys).size).toBe(1);
  expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);

  const [arjunAfter, priyaAfter] = [await apiAccounts(request, demo('arjun')), await apiAccounts(request, demo('priya'))];
  const sourceAfter = arjunAfter.find((a) => a.number === source.number)!;
  const targetAfter = priyaAfter.find((a) => a.number === target.number)!;
  expect(paise(sourceAfter.balance)).toBe(paise(source.balance) - 123450n);
  expect(paise(targetAfter.balance)).toBe(paise(target.balance) + 123450n);

  await page.getByRole('link', { name: 'See history' }).click();
  await page.getByLabel('Search').fill(note);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/q=E2E/);
  const rows = page.locator('.tx-list .tx');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('-₹1,234.50');
  await expect(rows.first()).toContainText(inr(sourceAfter.balance));
  await page.screenshot({ path: `${ARTIFACTS}/history.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
});

test('history filters by direction and type', async ({ page }) => {
  await signIn(page, demo('arjun'));
  await page.goto('/history');
  await page.getByLabel('Direction').selectOption('credit');
  await page.getByLabel('Type').selectOption('deposit');
  await page.getByRole('button', { name: 'Apply' }).click();
  const rows = page.locator('.tx-list .tx');
  await expect(rows.first()).toContainText('Opening deposit');
  for (const text of await rows.allTextContents()) expect(text).toContain('+₹');
});

test('account detail shows a mini statement and downloads the CSV statement', async ({ page, request }) => {
  const [savings] = (await apiAccounts(request, demo('arjun'))).filter((a) => a.account_type.code === 'savings');
  await signIn(page, demo('arjun'));
  await page.goto(`/accounts/${savings!.number}`);
  await expect(page.getByTestId('account-balance')).toHaveText(inr(savings!.balance));
  await expect(page.getByRole('heading', { name: 'Mini statement' })).toBeVisible();
  await expect(page.getByText('ATM withdrawal')).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}/account.png`, fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Statement (CSV)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`statement-${savings!.number}.csv`);
  const csv = await (await file.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString('utf8');
  expect(text.split('\n')[0]).toContain('date,reference,kind,description,debit,credit,balance_after');
  expect(text).toContain('Opening deposit');
});

test('register, land on an empty dashboard, open a first account', async ({ page }) => {
  const username = `e2e${Date.now()}`;
  await page.goto('/register');
  await page.getByLabel('First name').fill('Meera');
  await page.getByLabel('Last name').fill('Iyer');
  await page.getByLabel('Email').fill(`${username}@example.in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill('Kaveri-river-2026');
  await page.getByLabel('Confirm password').fill('Kaveri-river-2026');
  await page.getByRole('button', { name: 'Create my login' }).click();
  await expect(page.getByText('No accounts yet')).toBeVisible();
  await expect(page.getByTestId('total-balance')).toHaveText('₹0.00');

  await page.getByRole('button', { name: 'Open your first account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open a new account' });
  await dialog.getByLabel('Product').selectOption('basic-savings');
  await dialog.getByLabel('Branch').selectOption({ label: 'Mumbai Fort' });
  await dialog.getByLabel('Nickname (optional)').fill('Everyday');
  await dialog.getByRole('button', { name: 'Open account' }).click();
  await expect(page.getByRole('link', { name: /Everyday/ })).toBeVisible();
});

test('an idle session signs itself out', async ({ page }) => {
  await page.clock.install();
  await signIn(page, demo('rahul'));
  await page.clock.fastForward('04:05');
  await expect(page.getByRole('dialog', { name: 'Still there?' })).toBeVisible();
  await page.clock.fastForward('01:00');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText(/signed out after a few minutes without activity/)).toBeVisible();
});

test('phone width and dark theme', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, demo('priya'));
  await expect(page.getByRole('navigation', { name: 'Main navigation (mobile)' })).toBeVisible();
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
  // Pages beyond the four in the bottom bar sit behind "More".
  await page.getByRole('navigation', { name: 'Main navigation (mobile)' }).getByRole('link', { name: 'More' }).click();
  await expect(page.getByRole('heading', { name: 'More' })).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: /Loans/ })).toBeVisible();
  await page.getByRole('main').getByRole('link', { name: /Loans/ }).click();
  await expect(page.getByRole('heading', { name: 'Loans' })).toBeVisible();
  // The tab that led here stays lit.
  await expect(page.getByRole('navigation', { name: 'Main navigation (mobile)' }).getByRole('link', { name: 'More' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await page.screenshot({ path: `${ARTIFACTS}/loans-phone.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
  await page.goBack();
  await page.screenshot({ path: `${ARTIFACTS}/more-phone.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
  await page.getByRole('navigation', { name: 'Main navigation (mobile)' }).getByRole('link', { name: 'Home' }).click();
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.setViewportSize({ width: 1360, height: 900 });
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-dark.png`, fullPage: true });
  await expectNoSeriousA11yViolations(page);
});
