import { ApiError } from './problem';

/**
 * The bank asks for a fresh one-time code (or the transaction PIN) before sensitive actions:
 * 403 `step_up_required` with `methods: ["otp"]` or `["pin"]`; the same request is sent
 * again with the code in the X-OTP header, or the PIN in X-Transaction-PIN.
 */
export const STEP_UP_CODES = new Set(['step_up_required', 'step_up_invalid']);

export type StepUpHeader = 'X-OTP' | 'X-Transaction-PIN';
export type StepUp = { header: StepUpHeader; code: string };

export function isStepUp(error: unknown): error is ApiError {
  return error instanceof ApiError && STEP_UP_CODES.has(error.code);
}

/** Which header carries the proof the bank asked for: PIN only when it asked for nothing else. */
export function stepUpHeader(error: unknown): StepUpHeader {
  const methods = error instanceof ApiError ? error.problem.methods : undefined;
  return Array.isArray(methods) && methods.length === 1 && methods[0] === 'pin' ? 'X-Transaction-PIN' : 'X-OTP';
}

/** Headers for a retried request: the step-up proof, if any. */
export function stepUpHeaders(stepUp?: StepUp): Record<string, string> {
  return stepUp && stepUp.code ? { [stepUp.header]: stepUp.code } : {};
}
