import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { problem } from '@/testing/data';
import { renderWithApp } from '@/testing/render';
import { server } from '@/testing/server';

import { PinForm } from './pin-form';
import { TwoFactorSettings } from './two-factor';

type Seen = { body: unknown; pin: string | null; otp: string | null };

function recordPin(respond: (seen: Seen, index: number) => Response) {
  const seen: Seen[] = [];
  server.use(
    http.post('*/api/v1/auth/pin/', async ({ request }) => {
      const entry = {
        body: await request.json(),
        pin: request.headers.get('X-Transaction-PIN'),
        otp: request.headers.get('X-OTP'),
      };
      seen.push(entry);
      return respond(entry, seen.length - 1);
    }),
  );
  return seen;
}

describe('PinForm', () => {
  it('sets a first PIN with the password, and checks the two entries match', async () => {
    const seen = recordPin(() => new HttpResponse(null, { status: 204 }));
    const { user } = renderWithApp(<PinForm isSet={false} />);
    await user.type(screen.getByLabelText('New PIN'), '4821');
    await user.type(screen.getByLabelText('Repeat new PIN'), '4812');
    await user.type(screen.getByLabelText('Password'), 'secret-pass-1');
    await user.click(screen.getByRole('button', { name: 'Set PIN' }));
    expect(await screen.findByText('The two PINs differ')).toBeInTheDocument();
    expect(seen).toHaveLength(0);

    await user.clear(screen.getByLabelText('Repeat new PIN'));
    await user.type(screen.getByLabelText('Repeat new PIN'), '4821');
    await user.click(screen.getByRole('button', { name: 'Set PIN' }));
    expect(await screen.findByText('Transaction PIN set')).toBeInTheDocument();
    expect(seen).toEqual([{ body: { pin: '4821', password: 'secret-pass-1' }, pin: null, otp: null }]);
  });

  it('changes the PIN with the old one as proof, and asks for a code when the bank wants one', async () => {
    const seen = recordPin((_, index) =>
      index === 0
        ? HttpResponse.json(
            problem(403, 'step_up_required', 'Enter a fresh code from your authenticator app.', { methods: ['otp'] }),
            { status: 403 },
          )
        : new HttpResponse(null, { status: 204 }),
    );
    const { user } = renderWithApp(<PinForm isSet />);
    await user.type(screen.getByLabelText('Current PIN'), '4821');
    await user.type(screen.getByLabelText('New PIN'), '902311');
    await user.type(screen.getByLabelText('Repeat new PIN'), '902311');
    await user.type(screen.getByLabelText('Password'), 'secret-pass-1');
    await user.click(screen.getByRole('button', { name: 'Change PIN' }));
    expect(await screen.findByText('To confirm it is you, enter a fresh code from your authenticator app.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('One-time code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Change PIN' }));
    expect(await screen.findByText('Transaction PIN changed')).toBeInTheDocument();
    expect(seen[0]).toMatchObject({ pin: '4821', otp: null });
    expect(seen[1]).toMatchObject({ pin: null, otp: '123456', body: { pin: '902311', password: 'secret-pass-1' } });
  });
});

describe('TwoFactorSettings', () => {
  it('enrols: password, the QR code from the API, a first code, then the backup codes once', async () => {
    let enabled = false;
    server.use(
      http.get('*/api/v1/auth/otp/', () => HttpResponse.json({ enabled, backup_codes_remaining: enabled ? 10 : 0 })),
      http.post('*/api/v1/auth/otp/totp/', () =>
        HttpResponse.json(
          { otpauth_uri: 'otpauth://totp/Bank:arjun?secret=JBSWY3DP', secret: 'JBSWY3DPEHPK3PXP', qr_code: 'data:image/png;base64,iVBORw0KGgo=' },
          { status: 201 },
        ),
      ),
      http.post('*/api/v1/auth/otp/totp/confirm/', async ({ request }) => {
        const { code } = (await request.json()) as { code: string };
        if (code !== '654321') {
          return HttpResponse.json(problem(400, 'otp_invalid', 'That code is not right.'), { status: 400 });
        }
        enabled = true;
        return HttpResponse.json({ backup_codes: ['aaaa-1111', 'bbbb-2222'] }, { status: 201 });
      }),
    );
    const { user } = renderWithApp(<TwoFactorSettings />);
    await user.click(await screen.findByRole('button', { name: 'Turn on' }));
    const dialog = await screen.findByRole('dialog', { name: 'Turn on two-step sign-in' });
    await user.type(within(dialog).getByLabelText('Password'), 'secret-pass-1');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));

    const qr = await within(dialog).findByRole('img', { name: /QR code/ });
    expect(qr).toHaveAttribute('src', 'data:image/png;base64,iVBORw0KGgo=');
    expect(dialog).toHaveTextContent('JBSWY3DPEHPK3PXP');
    await user.type(within(dialog).getByLabelText('Code from the app'), '111111');
    await user.click(within(dialog).getByRole('button', { name: 'Turn on' }));
    expect(await within(dialog).findByText('That code is not right.')).toBeInTheDocument();
    await user.clear(within(dialog).getByLabelText('Code from the app'));
    await user.type(within(dialog).getByLabelText('Code from the app'), '654321');
    await user.click(within(dialog).getByRole('button', { name: 'Turn on' }));

    const codes = await within(dialog).findByRole('list', { name: 'Backup codes' });
    expect(within(codes).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['aaaa-1111', 'bbbb-2222']);
    await user.click(within(dialog).getByRole('button', { name: 'I have saved them' }));
    await waitFor(() => expect(screen.getByText('10 backup codes left.')).toBeInTheDocument());
  });
});
