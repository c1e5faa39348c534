import { expect, test } from '@playwright/test';

import { ARTIFACTS, demo, expectNoSeriousA11yViolations, signIn } from './helpers';

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
  await expect(page.getByRole('link', { name: /Electronics loan #\d+/ })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
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
