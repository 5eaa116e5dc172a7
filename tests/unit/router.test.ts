import { describe, expect, it } from 'vitest';
import { internalHref, matchRoute, type LinkClick } from '../../src/app/router';
import { RouterState, type HistoryHost } from '../../src/app/router.svelte';

describe('matchRoute', () => {
  it.each([
    ['/', '', { name: 'home' }],
    ['', '', { name: 'home' }],
    ['/kiosk/evaluator', '', { name: 'evaluator' }],
    ['/kiosk/evaluator/', '', { name: 'evaluator' }],
    ['/admin', '', { name: 'admin' }],
    ['/schedule', '', { name: 'schedule' }],
    ['/schedule/', '?date=2026-11-23', { name: 'schedule' }],
    ['/setup', '', { name: 'setup', code: null }],
    ['/setup', '?code=ABCD-2345', { name: 'setup', code: 'ABCD-2345' }],
    ['/setup', 'code=%20', { name: 'setup', code: null }],
    ['/r/A01', '?s=abc_DEF-123', { name: 'rate', windowCode: 'A01', sig: 'abc_DEF-123' }],
    ['/r/A01/', '', { name: 'rate', windowCode: 'A01', sig: null }],
    ['/r/%E7%AA%97', '?s=x', { name: 'rate', windowCode: '窗', sig: 'x' }],
  ] as const)('%s%s', (path, search, route) => {
    expect(matchRoute(path, search)).toEqual(route);
  });

  it('opens the hall board at /board, with a refresh interval of at least 2 s when asked', () => {
    expect(matchRoute('/board')).toEqual({ name: 'board', refreshSeconds: null });
    expect(matchRoute('/board/')).toEqual({ name: 'board', refreshSeconds: null });
    expect(matchRoute('/board', '?refresh=5')).toEqual({ name: 'board', refreshSeconds: 5 });
    expect(matchRoute('/board', '?refresh=0')).toEqual({ name: 'board', refreshSeconds: 2 });
    expect(matchRoute('/board', '?refresh=99999')).toEqual({ name: 'board', refreshSeconds: 3600 });
    expect(matchRoute('/board', '?refresh=soon')).toEqual({ name: 'board', refreshSeconds: null });
    expect(matchRoute('/board/hall').name).toBe('notFound');
  });

  it('opens the inspection tablet at /inspect', () => {
    expect(matchRoute('/inspect')).toEqual({ name: 'inspect' });
    expect(matchRoute('/inspect/')).toEqual({ name: 'inspect' });
    expect(matchRoute('/inspect/walks/1').name).toBe('notFound');
  });

  it('opens the duty kiosk at /kiosk/duty', () => {
    expect(matchRoute('/kiosk/duty')).toEqual({ name: 'duty' });
    expect(matchRoute('/kiosk/duty/')).toEqual({ name: 'duty' });
  });

  it('sends anything else to not-found', () => {
    for (const path of [
      '/nope',
      '/r',
      '/r/A01/extra',
      '/kiosk',
      '/admin/x',
      '/inspector',
      '/schedule/x',
    ]) {
      expect(matchRoute(path).name).toBe('notFound');
    }
    expect(matchRoute('/r/%E0%A4%A').name).toBe('notFound');
  });
});

const ORIGIN = 'http://127.0.0.1:8080';
const click = (over: Partial<LinkClick>): LinkClick => ({
  href: `${ORIGIN}/setup`,
  target: null,
  download: false,
  button: 0,
  modified: false,
  defaultPrevented: false,
  ...over,
});

describe('internalHref', () => {
  it('keeps same-origin app links in the app, with query and hash', () => {
    expect(internalHref(click({}), ORIGIN)).toBe('/setup');
    expect(internalHref(click({ href: `${ORIGIN}/r/A01?s=x#top` }), ORIGIN)).toBe('/r/A01?s=x#top');
    expect(internalHref(click({ href: '/admin', target: '_self' }), ORIGIN)).toBe('/admin');
  });

  it('leaves the browser to handle everything else', () => {
    expect(internalHref(click({ href: null }), ORIGIN)).toBeNull();
    expect(internalHref(click({ href: 'https://example.org/setup' }), ORIGIN)).toBeNull();
    expect(internalHref(click({ target: '_blank' }), ORIGIN)).toBeNull();
    expect(internalHref(click({ download: true }), ORIGIN)).toBeNull();
    expect(internalHref(click({ button: 1 }), ORIGIN)).toBeNull();
    expect(internalHref(click({ modified: true }), ORIGIN)).toBeNull();
    expect(internalHref(click({ defaultPrevented: true }), ORIGIN)).toBeNull();
    expect(internalHref(click({ href: `${ORIGIN}/api/v1/time` }), ORIGIN)).toBeNull();
    expect(internalHref(click({ href: `${ORIGIN}/icons/icon-512.png` }), ORIGIN)).toBeNull();
  });

  it('lets the browser jump within the current page, but not to another page', () => {
    expect(internalHref(click({ href: `${ORIGIN}/admin#main` }), ORIGIN, '/admin')).toBeNull();
    expect(internalHref(click({ href: `${ORIGIN}/admin#main` }), ORIGIN, '/')).toBe('/admin#main');
  });
});

function fakeHost(path: string) {
  const url = new URL(path, ORIGIN);
  const listeners = new Set<() => void>();
  const entries: string[] = [url.pathname + url.search];
  const host: HistoryHost & { entries: string[]; back(): void; listeners: Set<() => void> } = {
    entries,
    listeners,
    location: { pathname: url.pathname, search: url.search, origin: ORIGIN },
    history: {
      pushState: (_d, _u, to) => {
        const next = new URL(to, ORIGIN);
        host.location.pathname = next.pathname;
        host.location.search = next.search;
        entries.push(to);
      },
      replaceState: (_d, _u, to) => {
        const next = new URL(to, ORIGIN);
        host.location.pathname = next.pathname;
        host.location.search = next.search;
        entries[entries.length - 1] = to;
      },
    },
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
    back() {
      entries.pop();
      const previous = new URL(entries[entries.length - 1]!, ORIGIN);
      host.location.pathname = previous.pathname;
      host.location.search = previous.search;
      for (const listener of listeners) listener();
    },
  };
  return host;
}

describe('RouterState', () => {
  it('reads the starting URL', () => {
    const router = new RouterState(fakeHost('/setup?code=AB12-CD34'));
    expect(router.route).toEqual({ name: 'setup', code: 'AB12-CD34' });
    expect(router.href).toBe('/setup?code=AB12-CD34');
  });

  it('navigates with pushState and replaceState, and follows the back button', () => {
    const host = fakeHost('/');
    const router = new RouterState(host);
    router.navigate('/kiosk/evaluator');
    expect(router.route).toEqual({ name: 'evaluator' });
    router.navigate('/setup?code=X', { replace: true });
    expect(router.route).toEqual({ name: 'setup', code: 'X' });
    expect(host.entries).toEqual(['/', '/setup?code=X']);
    host.back();
    expect(router.route).toEqual({ name: 'home' });
  });

  it('stops listening when destroyed', () => {
    const host = fakeHost('/');
    const router = new RouterState(host);
    expect(host.listeners.size).toBe(1);
    router.destroy();
    expect(host.listeners.size).toBe(0);
  });
});
