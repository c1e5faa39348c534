/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Minutes of inactivity before automatic sign-out (default 5). */
  readonly VITE_SESSION_IDLE_MINUTES?: string;
}
