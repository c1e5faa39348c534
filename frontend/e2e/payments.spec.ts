import { expect, test } from '@playwright/test';

import { apiAccounts, ARTIFACTS, demo, expectNoSeriousA11yViolations, signIn } from './helpers';

test('add a payee (PIN step-up), pay them, set up a standing order and cancel it', async ({ page, request }) => {
  const rahul = demo('rahul');
  const priyaAccount = (await apiAccounts(request, demo('priya')))[0]!;
  // Adding a payee needs a second factor: give Rahul a transaction PIN through the API.
  const token = await request.post('/api/v1/auth/token/', { data: rahul });
  const { access } = (await token.json()) as { access: string };
  const pin = await request.post('/api/v1/auth/pin/', {
    data: { pin: '2468', password: rahul.password },
    headers: { Authorization: `Bearer ${access}` },
  });
  expect(pin.status()).toBe(204);

  await signIn(page, rahul);
  await page.goto('/payees');
  await expect(page.getByText('No payees yet')).toBeVisible();
  await page.getByRole('button', { name: 'Add payee' }).click();
  const add = page.getByRole('dialog', { name: 'Add a payee' });
  await add.getByLabel("Account holder's name").fill('Priya Sharma');
  await add.getByLabel('Nickname (optional)').fill('Priya');
  await add.getByLabel('Account number').fill(priyaAccount.number);
  await expect(add.getByLabel('Routing code')).toHaveValue(priyaAccount.number.slice(0, 7));
  await add.getByRole('button', { name: 'Add payee' }).click();
  await expect(add.getByText('To confirm it is you, enter your transaction PIN.')).toBeVisible();
  await add.getByLabel('Transaction PIN').fill('2468');
  await add.getByRole('button', { name: 'Add payee' }).click();
  await expect(add).toBeHidden();
  const payees = page.getByRole('list', { name: 'Payees' });
  await expect(payees).toContainText('Priya');

  const keys: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /beneficiaries\/\d+\/transfers\/$/.test(r.url())) keys.push(r.headers()['idempotency-key'] ?? '');
  });
  await payees.getByRole('button', { name: 'Pay Priya' }).click();
  const pay = page.getByRole('dialog', { name: 'Pay Priya' });
  await pay.getByLabel('Amount').fill('250');
  await pay.getByRole('button', { name: /^Pay ₹250\.00/ }).click();
  await expect(page.getByText(/Sent ₹250\.00 to Priya Sharma/)).toBeVisible();
  expect(keys.length).toBeGreaterThanOrEqual(1);
  expect(new Set(keys).size).toBe(1);

  await page.getByRole('button', { name: 'New standing order' }).click();
  const order = page.getByRole('dialog', { name: 'New standing order' });
  await order.getByLabel('Amount').fill('1,500');
  await order.getByLabel('Note (optional)').fill('Monthly chai fund');
  await order.getByRole('button', { name: 'Set up' }).click();
  await expect(order).toBeHidden();
  const orders = page.getByRole('list', { name: 'Standing orders' });
  await expect(orders).toContainText('Monthly chai fund');
  await expect(orders).toContainText('₹1,500.00');
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${ARTIFACTS}/payees.png`, fullPage: true });

  await orders.getByRole('button', { name: /Cancel standing order/ }).click();
  const confirm = page.getByRole('dialog', { name: 'Cancel this standing order?' });
  await confirm.getByRole('button', { name: 'Cancel standing order' }).click();
  await expect(orders).toContainText('cancelled');
});
