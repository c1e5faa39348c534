import { useState } from 'react';

import { isStepUp, stepUpHeader, type StepUp, type StepUpHeader } from '@/lib/api/step-up';

import { Field } from './field';
import { ShieldIcon } from './icons';

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

/**
 * A form's step-up state: `ask(error)` shows the prompt when the bank asked for a code or PIN
 * (and says so), `proof` is what to send with the retry, `field` is the prompt itself.
 */
export function useStepUpPrompt() {
  const [asked, setAsked] = useState<{ message: string; header: StepUpHeader } | null>(null);
  const [code, setCode] = useState('');
  const proof: StepUp | undefined = asked && code.trim() ? { header: asked.header, code: code.trim() } : undefined;
  return {
    proof,
    ask(error: unknown): boolean {
      if (!isStepUp(error)) return false;
      const header = stepUpHeader(error);
      // The first ask gets plain words (the API's names its headers); a refusal keeps the API's reason.
      const message =
        error.code === 'step_up_required'
          ? header === 'X-Transaction-PIN'
            ? 'To confirm it is you, enter your transaction PIN.'
            : 'To confirm it is you, enter a fresh code from your authenticator app.'
          : error.message;
      setAsked({ message, header });
      setCode('');
      return true;
    },
    reset() {
      setAsked(null);
      setCode('');
    },
    field: asked ? <StepUpField message={asked.message} header={asked.header} value={code} onChange={setCode} /> : null,
  };
}
