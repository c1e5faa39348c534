/**
 * An Idempotency-Key per intended payment: made once when the person confirms, reused by
 * every retry of that same confirmation (a double click, a timeout, a step-up code), so the
 * backend replays the first answer instead of moving money twice.
 */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}
