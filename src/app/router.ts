/**
 * The app's paths (design §6) as a pure function from a URL to a route, plus the decision whether
 * a click on a link stays inside the app. No DOM access here, so both are unit-tested in Node.
 */

export type Route =
  | { name: 'home' }
  /** 好差评 rating page for one window, reached from its card's QR code. */
  | { name: 'rate'; windowCode: string; sig: string | null }
  | { name: 'evaluator' }
  /** 局长坐班终端: leaders sign in and keep the duty ledger. */
  | { name: 'duty' }
  /** 局长走流程 inspection tablet: walks, findings with photos, and problems to follow up. */
  | { name: 'inspect' }
  | { name: 'setup'; code: string | null }
  | { name: 'admin' }
  /** 坐班公示: the public duty schedule for a hall screen, no login. */
  | { name: 'schedule' }
  /**
   * 大厅公示屏: today's leaders on duty and the month's satisfaction, no login. `?refresh=<s>`
   * asks for another refresh interval than the minute (at least 2 s; for tests and demos).
   */
  | { name: 'board'; refreshSeconds: number | null }
  /** A screen of the product that this version does not have yet. */
  | { name: 'unavailable'; path: string }
  | { name: 'notFound'; path: string };

export type RouteName = Route['name'];

/** Paths reserved for screens that later versions add. */
const LATER_SCREENS: string[] = [];

/** The shortest refresh interval `/board?refresh=` may ask for, and the longest. */
export const BOARD_REFRESH_BOUNDS = { min: 2, max: 3600 } as const;

function normalise(pathname: string): string {
  const trimmed = pathname.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function param(search: string, name: string): string | null {
  const value = new URLSearchParams(search).get(name);
  return value === null || value.trim() === '' ? null : value.trim();
}

function refreshParam(search: string): number | null {
  const value = param(search, 'refresh');
  if (value === null || !/^\d+$/.test(value)) return null;
  return Math.min(BOARD_REFRESH_BOUNDS.max, Math.max(BOARD_REFRESH_BOUNDS.min, Number(value)));
}

/** Which screen a URL shows. `search` is the query string with or without its `?`. */
export function matchRoute(pathname: string, search = ''): Route {
  const path = normalise(pathname);
  if (path === '/') return { name: 'home' };
  if (path === '/kiosk/evaluator') return { name: 'evaluator' };
  if (path === '/kiosk/duty') return { name: 'duty' };
  if (path === '/inspect') return { name: 'inspect' };
  if (path === '/setup') return { name: 'setup', code: param(search, 'code') };
  if (path === '/admin') return { name: 'admin' };
  if (path === '/schedule') return { name: 'schedule' };
  if (path === '/board') return { name: 'board', refreshSeconds: refreshParam(search) };

  const rate = /^\/r\/([^/]+)$/.exec(path);
  if (rate) {
    const windowCode = safeDecode(rate[1]!);
    if (windowCode !== null) return { name: 'rate', windowCode, sig: param(search, 's') };
  }

  if (LATER_SCREENS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
    return { name: 'unavailable', path };
  }
  return { name: 'notFound', path };
}

/** What the app needs to know about a click to decide whether to handle it itself. */
export interface LinkClick {
  /** The anchor's resolved href, or null when the click was not on a link. */
  href: string | null;
  target: string | null;
  download: boolean;
  button: number;
  modified: boolean;
  defaultPrevented: boolean;
}

/**
 * The in-app path (`/path?query#hash`) a click should navigate to without reloading, or null when
 * the browser should handle it (other origin, new tab, download, API URL, modifier keys, or a
 * jump within the current page such as the skip link).
 */
export function internalHref(click: LinkClick, origin: string, current = ''): string | null {
  if (click.defaultPrevented || click.button !== 0 || click.modified || click.download) return null;
  if (click.target && click.target !== '_self') return null;
  if (!click.href) return null;
  let url: URL;
  try {
    url = new URL(click.href, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  if (url.pathname.startsWith('/api/') || /\.[a-z0-9]+$/i.test(url.pathname)) return null;
  if (url.hash && url.pathname + url.search === current) return null;
  return url.pathname + url.search + url.hash;
}

/** An href made absolute against the app's origin, as path + query + hash. */
export function resolveHref(href: string, origin: string): string {
  const url = new URL(href, origin);
  return url.pathname + url.search + url.hash;
}
