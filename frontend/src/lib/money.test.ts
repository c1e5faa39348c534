import { describe, expect, it } from 'vitest';

import {
  compareAmounts,
  formatMoney,
  fromMinor,
  isDecimalString,
  parseAmountInput,
  sumAmounts,
  toMinor,
  totalsByCurrency,
} from './money';

describe('money', () => {
  it('converts decimal strings to integer minor units and back', () => {
    expect(toMinor('1250.5', 'INR')).toBe(125050n);
    expect(toMinor('-0.07', 'INR')).toBe(-7n);
    expect(fromMinor(125050n, 'INR')).toBe('1250.50');
    expect(fromMinor(-7n, 'INR')).toBe('-0.07');
    expect(fromMinor(5n, 'JPY')).toBe('5');
  });

  it('refuses floats in disguise and too many decimals', () => {
    expect(() => toMinor('1e3', 'INR')).toThrow(RangeError);
    expect(() => toMinor('10.005', 'INR')).toThrow(RangeError);
    expect(() => toMinor('1.5', 'JPY')).toThrow(RangeError);
    expect(isDecimalString('NaN')).toBe(false);
  });

  it('adds exactly where binary floats do not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumAmounts(['0.10', '0.20'], 'INR')).toBe('0.30');
    // Beyond 2^53 paise a float loses paise; BigInt does not.
    expect(sumAmounts(['90071992547409.91', '0.01'], 'INR')).toBe('90071992547409.92');
  });

  it('compares exactly', () => {
    expect(compareAmounts('100.00', '100', 'INR')).toBe(0);
    expect(compareAmounts('99.99', '100', 'INR')).toBe(-1);
  });

  it('formats with Indian grouping and the currency symbol, without rounding', () => {
    expect(formatMoney('1234567.89', 'INR')).toBe('₹12,34,567.89');
    expect(formatMoney('1500', 'INR', { signed: true })).toBe('+₹1,500.00');
    expect(formatMoney('-2500.00', 'INR')).toBe('-₹2,500.00');
    expect(formatMoney('90071992547409.93', 'INR')).toBe('₹9,00,71,99,25,47,409.93');
  });

  it('normalises what people type', () => {
    expect(parseAmountInput('1,250.5', 'INR')).toBe('1250.50');
    expect(parseAmountInput(' ₹99 ', 'INR')).toBe('99.00');
    expect(parseAmountInput('12.345', 'INR')).toBeNull();
    expect(parseAmountInput('abc', 'INR')).toBeNull();
  });

  it('totals per currency', () => {
    expect(
      totalsByCurrency([
        { amount: '10.50', currency: 'INR' },
        { amount: '5', currency: 'USD' },
        { amount: '0.50', currency: 'INR' },
      ]),
    ).toEqual([
      { amount: '11.00', currency: 'INR' },
      { amount: '5.00', currency: 'USD' },
    ]);
  });
});
