/**
 * A part of a screen whose code is loaded when first wanted rather than with the screen: the
 * screen shows what it has until the part is in. Loaded once; a load that failed is tried again
 * the next time it is wanted.
 */
export class Later<T> {
  #component = $state.raw<T | null>(null);
  #loading: Promise<T> | null = null;

  constructor(private readonly load: () => Promise<{ default: T }>) {}

  /** The part, once loaded. */
  get component(): T | null {
    return this.#component;
  }

  /** Starts the load if it has not started; resolves with the part once it is in. */
  want(): Promise<T> {
    this.#loading ??= this.load().then(
      (module) => (this.#component = module.default),
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    );
    return this.#loading;
  }
}

/**
 * Runs `fn` once the page is idle after the service worker has taken the page over: what it then
 * loads comes from the precache rather than the network. Without a service worker it never runs.
 */
export function whenCached(
  fn: () => void,
  env: {
    serviceWorker?: Pick<ServiceWorkerContainer, 'ready'>;
    requestIdleCallback?: (cb: () => void) => unknown;
  },
): void {
  void env.serviceWorker?.ready.then(() => {
    if (env.requestIdleCallback) env.requestIdleCallback(fn);
    else setTimeout(fn, 0);
  });
}
