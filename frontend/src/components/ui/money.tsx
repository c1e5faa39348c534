import { formatMoney } from '@/lib/money';

/** An amount as text: exact, en-IN grouped; `signed` colours money in and prefixes + or -. */
export function Amount({ value, currency, signed }: { value: string; currency: string; signed?: boolean }) {
  const credit = signed && !value.startsWith('-') && !/^0*\.?0*$/.test(value);
  return (
    <span className={`tabular${signed ? (credit ? ' amount-credit' : ' amount-debit') : ''}`}>
      {formatMoney(value, currency, { signed })}
    </span>
  );
}
