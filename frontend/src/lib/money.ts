/**
 * Money on the client: the API speaks decimal strings ("1250.50") and so does this module.
 * Arithmetic happens on integer minor units (paise for INR) as BigInt, so no sum, comparison
 * or difference ever passes through a binary float. Formatting hands Intl the decimal string
 * itself: Intl.NumberFormat formats a numeric string exactly (ECMA-402 NumberFormat v3).
 */

export type Money = { amount: string; currency: string };

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;
const formatters = new Map<string, Intl.NumberFormat>();

/** Digits after the point for a currency: 2 for INR and USD, 0 for JPY, 3 for KWD. */
export function minorDigits(currency: string): number {
  return currencyFormatter(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

function currencyFormatter(currency: string, signDisplay: 'auto' | 'always' = 'auto'): Intl.NumberFormat {
  const key = `${currency}:${signDisplay}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    // en-IN groups lakhs and crores: ₹12,34,567.89
    formatter = new Intl.NumberFormat('en-IN', { style: 'currency', currency, signDisplay });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** Is `value` a plain decimal with at most the currency's digits after the point? */
export function isDecimalString(value: string, currency = 'INR'): boolean {
  const match = DECIMAL.exec(value.trim());
  return !!match && (match[3] ?? '').length <= minorDigits(currency);
}

/** "1250.5" -> 125050n (INR). Throws on anything that is not an exact decimal for the currency. */
export function toMinor(value: string, currency: string): bigint {
  const match = DECIMAL.exec(value.trim());
  const digits = minorDigits(currency);
  if (!match || (match[3] ?? '').length > digits) {
    throw new RangeError(`Not a ${currency} amount: ${JSON.stringify(value)}`);
  }
  const [, sign, whole = '0', fraction = ''] = match;
  const minor = BigInt(whole + fraction.padEnd(digits, '0'));
  return sign ? -minor : minor;
}

/** 125050n -> "1250.50" (INR): the API's own decimal string shape. */
export function fromMinor(minor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = digits ? `.${text.slice(text.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** Exact sum of decimal strings in one currency. */
export function sumAmounts(values: readonly string[], currency: string): string {
  return fromMinor(
    values.reduce((total, value) => total + toMinor(value, currency), 0n),
    currency,
  );
}

/** -1, 0 or 1, like a comparator: compares exactly. */
export function compareAmounts(a: string, b: string, currency: string): -1 | 0 | 1 {
  const difference = toMinor(a, currency) - toMinor(b, currency);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** Normalise what a person typed ("1,250.5", " 99 ") to the API's shape ("1250.50"), or null. */
export function parseAmountInput(input: string, currency: string): string | null {
  const cleaned = input.replace(/[,\s₹]/g, '');
  if (!isDecimalString(cleaned, currency)) return null;
  return fromMinor(toMinor(cleaned, currency), currency);
}

/** "1234567.8", INR -> "₹12,34,567.80". `signed` shows + on money in. */
export function formatMoney(amount: string, currency: string, options: { signed?: boolean } = {}): string {
  // The string goes to Intl as-is: exact, never rounded through a float.
  return currencyFormatter(currency, options.signed ? 'always' : 'auto').format(
    amount as unknown as number,
  );
}

/** Totals per currency, e.g. the dashboard's total balance across accounts. */
export function totalsByCurrency(items: readonly Money[]): Money[] {
  const totals = new Map<string, bigint>();
  for (const { amount, currency } of items) {
    totals.set(currency, (totals.get(currency) ?? 0n) + toMinor(amount, currency));
  }
  return [...totals].map(([currency, minor]) => ({ amount: fromMinor(minor, currency), currency }));
}

/**
 * A number for drawing a chart axis only: never added, compared or shown as money. Charts
 * place pixels, and the exact amount is still what the tooltip prints (formatMoney on the string).
 */
export function amountForPlot(amount: string): number {
  return Number(amount);
}

/** "₹" for INR, "$" for USD: the sign drawn inside amount inputs. */
export function currencySymbol(currency: string): string {
  return currencyFormatter(currency).formatToParts(0).find((part) => part.type === 'currency')?.value ?? currency;
}
