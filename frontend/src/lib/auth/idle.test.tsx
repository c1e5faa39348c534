import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { formatCountdown, useIdleCountdown } from './idle';

describe('useIdleCountdown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts down, restarts on activity, and expires once', () => {
    const onExpire = vi.fn();
    const { result } = renderHook(() => useIdleCountdown(60, onExpire));
    act(() => void vi.advanceTimersByTime(45_000));
    expect(result.current.secondsLeft).toBe(15);

    act(() => {
      window.dispatchEvent(new KeyboardEvent('keydown'));
      vi.advanceTimersByTime(1_000);
    });
    expect(result.current.secondsLeft).toBe(59);

    act(() => void vi.advanceTimersByTime(60_000));
    expect(result.current.secondsLeft).toBe(0);
    act(() => void vi.advanceTimersByTime(10_000));
    expect(onExpire).toHaveBeenCalledTimes(1);
  });

  it('formats the clock', () => {
    expect(formatCountdown(299)).toBe('4:59');
    expect(formatCountdown(5)).toBe('0:05');
  });
});
