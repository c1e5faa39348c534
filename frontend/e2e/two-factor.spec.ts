import { createHmac } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { ARTIFACTS, registerCustomer } from './helpers';

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s steps), as an authenticator app computes it. */
function totp(secretBase32: string, step: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of secretBase32.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest.readUInt8(digest.length - 1) & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);

test('sign in with two-step verification: password, then a one-time code; a wrong code is refused in words', async ({
  page,
  request,
}) => {
  const user = await registerCustomer(request, 'otp');
  const signedIn = await request.post('/api/v1/auth/token/', { data: user });
  const auth = { Authorization: `Bearer ${((await signedIn.json()) as { access: string }).access}` };
  const enrol = await request.post('/api/v1/auth/otp/totp/', { data: { password: user.password }, headers: auth });
  expect(enrol.status()).toBe(201);
  const { secret } = (await enrol.json()) as { secret: string };
  const confirmed = await request.post('/api/v1/auth/otp/totp/confirm/', {
    data: { code: totp(secret, currentStep()) },
    headers: auth,
  });
  expect(confirmed.status()).toBe(201);

  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const verify = page.getByRole('form', { name: 'Verify sign-in' });
  await expect(verify).toBeVisible();
  await expect(page.getByTestId('total-balance')).toHaveCount(0); // no token before the second step
  await page.screenshot({ path: `${ARTIFACTS}/login-otp.png` });

  await verify.getByLabel('One-time code').fill('000000');
  await verify.getByRole('button', { name: 'Verify and sign in' }).click();
  await expect(verify.getByRole('alert')).toBeVisible();
  await expect(page.getByTestId('total-balance')).toHaveCount(0);

  // The code used to confirm enrolment cannot be replayed; the authenticator's next one
  // (within the one-step drift the bank allows) signs in. Throttling after the wrong code
  // lasts a second.
  await page.waitForTimeout(1500);
  await verify.getByLabel('One-time code').fill(totp(secret, currentStep() + 1));
  await verify.getByRole('button', { name: 'Verify and sign in' }).click();
  await expect(page.getByTestId('total-balance')).toContainText('₹');
});
