/**
 * A partner's business clock as data (Stripe's test clocks are the model): wall time plus an
 * offset, or frozen at one instant. Token and URL expiry, processing delays and callback retries
 * read it; the admin API moves it. Kept as two numbers so every instance computes the same time.
 */
export interface ClockState {
  /** How far business time runs ahead of wall time, in ms, while running. */
  offsetMs: number;
  /** The business instant (epoch ms) a frozen clock stands at; null while running. */
  frozenAtMs: number | null;
}

export const REAL_TIME: ClockState = { offsetMs: 0, frozenAtMs: null };

export function businessNow(state: ClockState, wallNowMs: number): Date {
  return new Date(state.frozenAtMs ?? wallNowMs + state.offsetMs);
}

/**
 * The wall-clock instant at which business time reaches `due`: when a job must run. A frozen
 * clock never gets there by itself (null), except for what is already due.
 */
export function wallTimeOf(due: Date, state: ClockState, wallNowMs: number): number | null {
  if (state.frozenAtMs !== null) return due.getTime() <= state.frozenAtMs ? wallNowMs : null;
  return due.getTime() - state.offsetMs;
}

/** Business time moved to `to`, never backwards (an advance stepping through due work). */
export function movedTo(state: ClockState, to: Date, wallNowMs: number): ClockState {
  if (to.getTime() <= businessNow(state, wallNowMs).getTime()) return state;
  return state.frozenAtMs !== null
    ? { ...state, frozenAtMs: to.getTime() }
    : { ...state, offsetMs: to.getTime() - wallNowMs };
}

export function frozen(state: ClockState, wallNowMs: number): ClockState {
  return { offsetMs: state.offsetMs, frozenAtMs: businessNow(state, wallNowMs).getTime() };
}

/** Runs on from the frozen instant, keeping its lead over wall time. */
export function resumed(state: ClockState, wallNowMs: number): ClockState {
  if (state.frozenAtMs === null) return state;
  return { offsetMs: state.frozenAtMs - wallNowMs, frozenAtMs: null };
}

/** What the admin API shows: the lead over wall time, frozen or not. */
export function leadOverWallMs(state: ClockState, wallNowMs: number): number {
  return state.frozenAtMs === null ? state.offsetMs : state.frozenAtMs - wallNowMs;
}
