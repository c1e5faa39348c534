import { ShieldIcon } from './icons';
import { Field } from './field';

import type { StepUpHeader } from '@/lib/api/step-up';

type Props = { message: string; header: StepUpHeader; value: string; onChange: (value: string) => void };

/** Shown when the bank asked for a fresh one-time code or the transaction PIN. */
export function StepUpField({ message, header, value, onChange }: Props) {
  const pin = header === 'X-Transaction-PIN';
  return (
    <>
      <div className="alert alert-info">
        <ShieldIcon width={20} height={20} />
        <span>{message}</span>
      </div>
      <Field label={pin ? 'Transaction PIN' : 'One-time code'}>
        <input
          className="input otp-input"
          inputMode="numeric"
          type={pin ? 'password' : 'text'}
          autoComplete={pin ? 'off' : 'one-time-code'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          data-autofocus
        />
      </Field>
    </>
  );
}
