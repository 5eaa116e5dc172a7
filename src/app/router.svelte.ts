/**
 * The current location as a rune, with history-based navigation. The window is injected so the
 * state can be driven in tests.
 */
import { matchRoute, resolveHref, type Route } from './router';

export interface HistoryHost {
  location: { pathname: string; search: string; origin: string };
  history: {
    pushState(data: unknown, unused: string, url: string): void;
    replaceState(data: unknown, unused: string, url: string): void;
  };
  addEventListener(type: 'popstate', listener: () => void): void;
  removeEventListener(type: 'popstate', listener: () => void): void;
  scrollTo?(x: number, y: number): void;
}

export class RouterState {
  #host: HistoryHost;
  #pathname = $state('/');
  #search = $state('');
  #onPop = () => this.#read();

  constructor(host: HistoryHost) {
    this.#host = host;
    this.#read();
    host.addEventListener('popstate', this.#onPop);
  }

  get route(): Route {
    return matchRoute(this.#pathname, this.#search);
  }

  get pathname(): string {
    return this.#pathname;
  }

  /** Path and query: a different value means a different screen instance. */
  get href(): string {
    return this.#pathname + this.#search;
  }

  /** Go to an in-app path; `replace` keeps the history entry (e.g. after a redirect). */
  navigate(href: string, options: { replace?: boolean } = {}): void {
    const target = resolveHref(href, this.#host.location.origin);
    if (options.replace) this.#host.history.replaceState(null, '', target);
    else this.#host.history.pushState(null, '', target);
    this.#read();
    this.#host.scrollTo?.(0, 0);
  }

  destroy(): void {
    this.#host.removeEventListener('popstate', this.#onPop);
  }

  #read(): void {
    this.#pathname = this.#host.location.pathname;
    this.#search = this.#host.location.search;
  }
}
