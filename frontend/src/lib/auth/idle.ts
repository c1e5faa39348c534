import { useEffect, useRef, useState } from 'react';

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * The session clock: seconds left before automatic sign-out for inactivity. Any click, key
 * or scroll restarts it (banks sign out idle sessions; the refresh token alone would keep a
 * forgotten tab signed in for a day). `reset` is for "Stay signed in".
 */
export function useIdleCountdown(idleSeconds: number, onExpire: () => void) {
  const deadline = useRef(Date.now() + idleSeconds * 1000);
  const [secondsLeft, setSecondsLeft] = useState(idleSeconds);
  const expire = useRef(onExpire);
  expire.current = onExpire;

  useEffect(() => {
    deadline.current = Date.now() + idleSeconds * 1000;
    const bump = () => {
      deadline.current = Date.now() + idleSeconds * 1000;
    };
    ACTIVITY_EVENTS.forEach((name) => window.addEventListener(name, bump, { passive: true }));
    const timer = window.setInterval(() => {
      const left = Math.max(0, Math.ceil((deadline.current - Date.now()) / 1000));
      setSecondsLeft(left);
      if (left === 0) {
        window.clearInterval(timer);
        expire.current();
      }
    }, 1000);
    return () => {
      ACTIVITY_EVENTS.forEach((name) => window.removeEventListener(name, bump));
      window.clearInterval(timer);
    };
  }, [idleSeconds]);

  const reset = () => {
    deadline.current = Date.now() + idleSeconds * 1000;
    setSecondsLeft(idleSeconds);
  };
  return { secondsLeft, reset };
}

export function formatCountdown(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
