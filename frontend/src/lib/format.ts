const dateTime = new Intl.DateTimeFormat('en-IN', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en-IN', { dateStyle: 'medium' });
const dayMonth = new Intl.DateTimeFormat('en-IN', { day: 'numeric', month: 'short' });

// A bare YYYY-MM-DD is a local calendar day, not UTC midnight.
const parse = (iso: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00` : iso);

export const formatDateTime = (iso: string) => dateTime.format(parse(iso));
export const formatDate = (iso: string) => dateOnly.format(parse(iso));
export const formatDayMonth = (iso: string) => dayMonth.format(parse(iso));

/** YYYY-MM-DD in the browser's time zone (the key for a calendar day). */
export function localDay(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "1010001000000011" -> "1010 0010 0000 0011", easier to read aloud and compare. */
export function formatAccountNumber(number: string): string {
  return number.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** "•• 0011": the short form used on cards and in lists. */
export function maskAccountNumber(number: string): string {
  return `•• ${number.slice(-4)}`;
}

/** Luhn check, as the bank's 16-digit account numbers carry one (see accounts/numbers.py). */
export function isValidAccountNumber(number: string): boolean {
  if (!/^\d{16}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i += 1) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** "3.5000" -> "3.5%": an interest rate (a percentage, not money) without trailing zeros. */
export function formatRate(rate: string | undefined): string {
  return `${(rate ?? '0').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')}%`;
}

export const KIND_LABELS: Record<string, string> = {
  deposit: 'Deposit',
  withdrawal: 'Withdrawal',
  transfer: 'Transfer',
  reversal: 'Reversal',
  interest: 'Interest',
  loan: 'Loan',
  fee: 'Fee',
  interbank: 'Interbank',
};
