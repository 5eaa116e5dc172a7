interface StorageManagerLike {
  persisted?: () => Promise<boolean>;
  persist?: () => Promise<boolean>;
}

let requested: Promise<boolean> | null = null;

/**
 * Ask the browser once per page to keep this origin's data under storage pressure, so records
 * waiting to sync are not evicted. Resolves with whether storage is persistent; never throws.
 */
export function requestPersistentStorage(
  storage: StorageManagerLike | undefined = globalThis.navigator?.storage,
): Promise<boolean> {
  requested ??= (async () => {
    if (!storage?.persist) return false;
    try {
      if (storage.persisted && (await storage.persisted())) return true;
      return await storage.persist();
    } catch {
      return false;
    }
  })();
  return requested;
}

/** Forget the once-per-page memo (tests). */
export function resetPersistRequest(): void {
  requested = null;
}
