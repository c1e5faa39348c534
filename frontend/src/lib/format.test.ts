import { describe, expect, it } from 'vitest';

import { formatAccountNumber, formatRate, isValidAccountNumber, localDay, maskAccountNumber } from './format';

describe('format', () => {
  it('checks account numbers as the bank builds them (Luhn over 16 digits)', () => {
    expect(isValidAccountNumber('1010001000000012')).toBe(true);
    expect(isValidAccountNumber('1010002000000010')).toBe(true);
    expect(isValidAccountNumber('1010002000000011')).toBe(false);
    expect(isValidAccountNumber('101000100000001')).toBe(false);
  });

  it('groups and masks account numbers', () => {
    expect(formatAccountNumber('1010001000000012')).toBe('1010 0010 0000 0012');
    expect(maskAccountNumber('1010001000000012')).toBe('•• 0012');
  });

  it('shows rates without trailing zeros', () => {
    expect(formatRate('3.5000')).toBe('3.5%');
    expect(formatRate('0.0000')).toBe('0%');
    expect(formatRate(undefined)).toBe('0%');
  });

  it('takes a bare date as a local calendar day', () => {
    expect(localDay(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});
