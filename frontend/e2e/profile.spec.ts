import { expect, test } from '@playwright/test';

import { ARTIFACTS, expectNoSeriousA11yViolations, registerCustomer, signIn } from './helpers';

test('profile: set and change the transaction PIN, change the password and sign in with the new one', async ({
  page,
  request,
}) => {
  const user = await registerCustomer(request, 'meera');
  await signIn(page, user);
  await page.getByRole('link', { name: /Profile/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Profile and security' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Personal details' })).toContainText(`${user.username}@example.in`);
  await expect(page.getByRole('region', { name: 'Recent sign-ins' })).toContainText('Signed in');
  await expectNoSeriousA11yViolations(page);
  await page.screenshot({ path: `${ARTIFACTS}/profile.png`, fullPage: true });

  const setPin = page.getByRole('form', { name: 'Set transaction PIN' });
  await setPin.getByLabel('New PIN', { exact: true }).fill('4821');
  await setPin.getByLabel('Repeat new PIN').fill('4821');
  await setPin.getByLabel('Password', { exact: true }).fill(user.password);
  await setPin.getByRole('button', { name: 'Set PIN' }).click();
  await expect(page.getByText('Transaction PIN set')).toBeVisible();

  const changePin = page.getByRole('form', { name: 'Change transaction PIN' });
  await changePin.getByLabel('Current PIN').fill('1111');
  await changePin.getByLabel('New PIN', { exact: true }).fill('902311');
  await changePin.getByLabel('Repeat new PIN').fill('902311');
  await changePin.getByLabel('Password', { exact: true }).fill(user.password);
  await changePin.getByRole('button', { name: 'Change PIN' }).click();
  // A wrong current PIN is refused in words, and nothing changes.
  await expect(changePin.getByRole('alert')).toContainText(/PIN/i);
  await changePin.getByLabel('Current PIN').fill('4821');
  await changePin.getByRole('button', { name: 'Change PIN' }).click();
  await expect(page.getByText('Transaction PIN changed')).toBeVisible();

  const password = page.getByRole('form', { name: 'Change password' });
  await password.getByLabel('Current password').fill(user.password);
  await password.getByLabel('New password', { exact: true }).fill('Narmada-valley-2027');
  await password.getByLabel('Repeat new password').fill('Narmada-valley-2027');
  await password.getByRole('button', { name: 'Change password' }).click();
  // With a PIN set, the bank asks for it before changing the password (step-up).
  await expect(password.getByText('To confirm it is you, enter your transaction PIN.')).toBeVisible();
  await password.getByLabel('Transaction PIN').fill('902311');
  await password.getByRole('button', { name: 'Change password' }).click();
  // Every session ended, this one too: back to sign-in, saying why.
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByText(/password is changed/)).toBeVisible();

  await signIn(page, { username: user.username, password: 'Narmada-valley-2027' });
});

test('password reset: ask for a link, and a bad link is refused in words', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill('nobody@example.in');
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByText(/a link to set a new password is on its way/)).toBeVisible();
  await expectNoSeriousA11yViolations(page);

  await page.goto('/reset-password?uid=MQ&token=not-a-real-token');
  await page.getByLabel('New password', { exact: true }).fill('Narmada-valley-2027');
  await page.getByLabel('Repeat new password').fill('Narmada-valley-2027');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('alert')).toContainText(/link|expired|invalid|used/i);
  await expectNoSeriousA11yViolations(page);
});
