import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { useStepUpPrompt } from '@/components/ui/step-up-field';
import { Alert } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { errorMessage } from '@/lib/api/problem';

import { useSetPin } from '../api/security';

const pin = z.string().regex(/^\d{4,6}$/, '4 to 6 digits');

/**
 * Set the transaction PIN, or change it: the current PIN goes as the step-up proof
 * (X-Transaction-PIN); if the bank wants a one-time code instead, it asks and we show the field.
 */
export function PinForm({ isSet }: { isSet: boolean }) {
  const setPin = useSetPin();
  const stepUp = useStepUpPrompt();
  const notify = useToast();
  const schema = z
    .object({
      current: isSet ? pin : z.string(),
      pin,
      repeat: z.string(),
      password: z.string().min(1, 'Enter your password'),
    })
    .refine((v) => v.pin === v.repeat, { path: ['repeat'], message: 'The two PINs differ' });
  const form = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { current: '', pin: '', repeat: '', password: '' },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await setPin.mutateAsync({
        input: { pin: values.pin, password: values.password },
        stepUp: stepUp.proof ?? (isSet ? { header: 'X-Transaction-PIN', code: values.current } : undefined),
      });
      notify(isSet ? 'Transaction PIN changed' : 'Transaction PIN set');
      form.reset();
      stepUp.reset();
    } catch (error) {
      stepUp.ask(error);
    }
  });
  const apiError = setPin.error && !stepUp.field ? errorMessage(setPin.error) : null;
  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={isSet ? 'Change transaction PIN' : 'Set transaction PIN'}>
      {apiError && <Alert>{apiError}</Alert>}
      {isSet && (
        <Field label="Current PIN" error={errors.current?.message}>
          <input className="input" type="password" inputMode="numeric" autoComplete="off" {...form.register('current')} />
        </Field>
      )}
      <div className="form-grid">
        <Field label="New PIN" error={errors.pin?.message} hint="4 to 6 digits">
          <input className="input" type="password" inputMode="numeric" autoComplete="off" {...form.register('pin')} />
        </Field>
        <Field label="Repeat new PIN" error={errors.repeat?.message}>
          <input className="input" type="password" inputMode="numeric" autoComplete="off" {...form.register('repeat')} />
        </Field>
      </div>
      <Field label="Password" error={errors.password?.message}>
        <input className="input" type="password" autoComplete="current-password" {...form.register('password')} />
      </Field>
      {stepUp.field}
      <div>
        <Button type="submit" loading={setPin.isPending}>
          {isSet ? 'Change PIN' : 'Set PIN'}
        </Button>
      </div>
    </form>
  );
}
