import { expect, test } from '@playwright/test';

import { apiAccounts, ARTIFACTS, demo, expectNoSeriousA11yViolations, inr, paise, signIn } from './helpers';

test('cards: issue, activate with the last four digits, limit, block and unblock; numbers stay masked', async ({ page }) => {
  await signIn(page, demo('priya'));
  await page.goto('/cards');
  await page.getByRole('button', { name: 'New card' }).click();
  await page.getByRole('dialog', { name: 'Ask for a debit card' }).getByRole('button', { name: 'Issue card' }).click();
  const card = page.getByRole('article', { name: /^Card / }).filter({ hasText: 'Not activated' }).first();
  await expect(card).toBeVisible();
  const masked = (await card.getAttribute('aria-label'))!.replace('Card ', '');
  expect(masked).not.toMatch(/\d{5,}/);
  const last4 = masked.replace(/\D/g, '').slice(-4);

  await card.getByRole('button', { name: 'Activate' }).click();
  const activate = page.getByRole('dialog', { name: 'Activate your card' });
  await activate.getByLabel('Last four digits').fill(last4);
  await activate.getByRole('button', { name: 'Activate' }).click();
  const live = page.getByRole('article', { name: `Card ${masked}` });
  await expect(live).toContainText('Active');

  await live.getByRole('button', { name: 'Change limit' }).click();
  const limit = page.getByRole('dialog', { name: 'Daily card limit' });
  await limit.getByLabel('Daily limit').fill('12,000');
  await limit.getByRole('button', { name: 'Save' }).click();
  await expect(live).toContainText(inr('12000.00'));

  await live.getByRole('button', { name: 'Block' }).click();
  const block = page.getByRole('dialog', { name: `Block card ${masked}?` });
  await block.getByRole('button', { name: 'Block card' }).click();
  await expect(live).toContainText('Blocked');
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${ARTIFACTS}/cards.png`, fullPage: true });

  await live.getByRole('button', { name: 'Unblock' }).click();
  await page.getByRole('dialog', { name: `Unblock card ${masked}?` }).getByRole('button', { name: 'Unblock' }).click();
  await expect(live).toContainText('Active');
});

test('account detail: deposit cash, see interest, download the monthly PDF; history exports CSV', async ({ page, request }) => {
  const account = (await apiAccounts(request, demo('priya')))[0]!;
  await signIn(page, demo('priya'));
  await page.goto(`/accounts/${account.number}`);
  await expect(page.getByTestId('interest-accrued')).toContainText('₹');

  await page.getByRole('button', { name: 'Deposit' }).click();
  const deposit = page.getByRole('dialog', { name: 'Deposit cash' });
  await deposit.getByLabel('Amount').fill('2,000.25');
  await deposit.getByRole('button', { name: 'Deposit' }).click();
  await expect(page.getByText('Deposited ₹2,000.25')).toBeVisible();
  const after = paise(account.balance) + 200025n;
  await expect(page.getByTestId('account-balance')).toHaveText(inr(`${after / 100n}.${String(after % 100n).padStart(2, '0')}`));
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${ARTIFACTS}/account-detail.png`, fullPage: true });

  const [pdf] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download PDF' }).click(),
  ]);
  expect(pdf.suggestedFilename()).toMatch(/^statement-\d+-\d{4}-\d{2}\.pdf$/);
  const head = await (await import('node:fs/promises')).readFile((await pdf.path())!);
  expect(head.subarray(0, 5).toString()).toBe('%PDF-');

  await page.goto('/history');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const text = await (await import('node:fs/promises')).readFile((await csv.path())!, 'utf8');
  expect(text).toContain('2000.25');
});
