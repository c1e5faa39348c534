import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';

import { problem } from '@/testing/data';
import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import { LoginForm } from './login-form';

const tokens = { access: 'a.b.c', refresh: 'r.e.f' };

async function typeCredentials(user: ReturnType<typeof renderWithApp>['user']) {
  await user.type(screen.getByLabelText('Username'), 'arjun');
  await user.type(screen.getByLabelText('Password'), 'arjun-demo-2026');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('LoginForm', () => {
  it('signs in with username and password', async () => {
    server.use(http.post('*/api/v1/auth/token/', () => HttpResponse.json(tokens)));
    const onSignedIn = vi.fn();
    const { user } = renderWithApp(<LoginForm onSignedIn={onSignedIn} />);
    await typeCredentials(user);
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(tokens));
  });

  it('shows the problem detail when the password is wrong', async () => {
    server.use(
      http.post('*/api/v1/auth/token/', () =>
        HttpResponse.json(problem(401, 'no_active_account', 'No active account found with the given credentials'), {
          status: 401,
        }),
      ),
    );
    const { user } = renderWithApp(<LoginForm onSignedIn={vi.fn()} />);
    await typeCredentials(user);
    expect(await screen.findByRole('alert')).toHaveTextContent('No active account found with the given credentials');
  });

  it('asks for the one-time code when the bank requires it, and sends it with the challenge', async () => {
    const passwords: Record<string, string>[] = [];
    const codes: Record<string, string>[] = [];
    server.use(
      http.post('*/api/v1/auth/token/', async ({ request }) => {
        passwords.push((await request.json()) as Record<string, string>);
        return HttpResponse.json({ otp_required: true, otp_token: 'c-123', otp_methods: ['totp'], expires_in: 300 });
      }),
      http.post('*/api/v1/auth/token/otp/', async ({ request }) => {
        const body = (await request.json()) as Record<string, string>;
        codes.push(body);
        if (body.code !== '123456') {
          return HttpResponse.json(problem(401, 'otp_invalid', 'That code is not valid.'), { status: 401 });
        }
        return HttpResponse.json({ ...tokens, otp_required: false });
      }),
    );
    const onSignedIn = vi.fn();
    const { user } = renderWithApp(<LoginForm onSignedIn={onSignedIn} />);
    await typeCredentials(user);

    const code = await screen.findByLabelText('One-time code');
    expect(screen.getByText('Enter the 6-digit code from your authenticator app.')).toBeInTheDocument();
    await user.type(code, '000000');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not valid.');
    expect(onSignedIn).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText('One-time code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(tokens));
    expect(passwords).toEqual([{ username: 'arjun', password: 'arjun-demo-2026' }]);
    expect(codes.at(-1)).toEqual({ otp_token: 'c-123', code: '123456' });
  });

  it('checks the form before asking the bank', async () => {
    const { user } = renderWithApp(<LoginForm onSignedIn={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter your username')).toBeInTheDocument();
    expect(screen.getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
  });
});
