/** closed: calls go through; open: calls fail at once; half-open: one probe call decides. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failures: number;
  /** How long an open circuit fails fast before letting one probe through. */
  cooldownMs: number;
  now?: () => number;
  onChange?: (state: BreakerState) => void;
}

/**
 * A circuit breaker for one subgraph. After `failures` failed calls in a row it opens: calls fail
 * at once instead of each waiting for a timeout on a hung service. After `cooldownMs` one call is
 * let through as a probe; its success closes the circuit, its failure opens it for another cool-down.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  readonly #opts: BreakerOptions;
  readonly #now: () => number;

  constructor(opts: BreakerOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#opts.cooldownMs) this.#set('half-open');
    return this.#state;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when not open). */
  retryInMs(): number {
    return this.state === 'open' ? Math.max(0, this.#openedAt + this.#opts.cooldownMs - this.#now()) : 0;
  }

  /** May a call go now? In half-open state only one call (the probe) may, until it settles. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#probing) return false;
    this.#probing = true;
    return true;
  }

  success(): void {
    this.#failures = 0;
    this.#probing = false;
    if (this.#state !== 'closed') this.#set('closed');
  }

  failure(): void {
    this.#probing = false;
    this.#failures++;
    if (this.#state === 'half-open' || this.#failures >= this.#opts.failures) {
      this.#openedAt = this.#now();
      this.#set('open');
    }
  }

  #set(state: BreakerState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#opts.onChange?.(state);
  }
}
