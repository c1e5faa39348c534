/**
 * Sign-in in two steps, as the API defines it (customers/api.py):
 * 1. POST /auth/token/ {username, password} answers the token pair, or, for a customer
 *    with two-factor authentication, `otp_required: true` with a short-lived `otp_token`;
 * 2. POST /auth/token/otp/ {otp_token, code} answers the token pair. Wrong, replayed or
 *    throttled codes come back as `otp_*` problems, shown on the code step.
 */
import { api, unwrap } from '@/lib/api/client';
import { ApiError } from '@/lib/api/problem';
import type { Tokens } from '@/lib/auth/tokens';

export type Credentials = { username: string; password: string };
export type OtpChallenge = { detail: string; otpToken: string };

export type LoginResult = { kind: 'signed-in'; tokens: Tokens } | { kind: 'otp'; challenge: OtpChallenge };

/** An OTP-step error that keeps the person on the code step (wrong, expired, replayed code...). */
export function isOtpError(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code.startsWith('otp_');
}

function signedIn(tokens: { access?: string; refresh?: string }): LoginResult {
  if (!tokens.access || !tokens.refresh) throw new Error('The bank did not return a session.');
  return { kind: 'signed-in', tokens: { access: tokens.access, refresh: tokens.refresh } };
}

export async function requestTokens(
  credentials: Credentials,
  otp?: { code: string; challenge: OtpChallenge },
): Promise<LoginResult> {
  if (otp) {
    const tokens = await unwrap(
      api.POST('/api/v1/auth/token/otp/', { body: { otp_token: otp.challenge.otpToken, code: otp.code } }),
    );
    return signedIn(tokens);
  }
  const answer = await unwrap(api.POST('/api/v1/auth/token/', { body: credentials }));
  if (answer.otp_required) {
    return {
      kind: 'otp',
      challenge: { detail: 'Enter the 6-digit code from your authenticator app.', otpToken: answer.otp_token ?? '' },
    };
  }
  return signedIn(answer);
}
