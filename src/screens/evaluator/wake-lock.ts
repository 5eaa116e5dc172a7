/**
 * Screen Wake Lock for a kiosk: keeps the display on while the screen is shown, and takes the lock
 * again whenever the page becomes visible (the browser drops it when the page is hidden).
 * Browsers without the API simply keep their own power settings.
 */
interface WakeLockHost {
  navigator: { wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> } };
  document: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
}

export function keepScreenAwake(host: WakeLockHost): () => void {
  let sentinel: { release(): Promise<void> } | null = null;
  let stopped = false;

  const acquire = async () => {
    const api = host.navigator.wakeLock;
    if (!api || stopped || host.document.visibilityState !== 'visible') return;
    try {
      const lock = await api.request('screen');
      if (stopped) void lock.release().catch(() => undefined);
      else sentinel = lock;
    } catch {
      // Refused (battery saver, not allowed): the kiosk still works.
    }
  };
  const onVisibility = () => {
    if (host.document.visibilityState === 'visible') void acquire();
  };

  host.document.addEventListener('visibilitychange', onVisibility);
  void acquire();
  return () => {
    stopped = true;
    host.document.removeEventListener('visibilitychange', onVisibility);
    void sentinel?.release().catch(() => undefined);
    sentinel = null;
  };
}
