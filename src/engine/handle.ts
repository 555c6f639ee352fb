// One check's cancellation handle. It behaves like an AbortController, but creates the real
// AbortSignal only when the kind reads ctx.signal: in-process kinds (synthetic, probe-health)
// never do, and 2,000 AbortControllers a second with their event listeners are measurable.

export class CheckHandle {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  /** Called once, synchronously, when the handle is aborted (the runner finishes the check). */
  onAbort: (() => void) | undefined;

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const fn = this.onAbort;
    this.onAbort = undefined;
    fn?.();
  }
}
