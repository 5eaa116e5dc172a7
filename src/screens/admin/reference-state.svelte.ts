/** Reference data pages of the console: departments, service items and the hall's settings. */
import type { WindowsResponse } from './admin-api';
import type { AdminCall } from './admin-api';
import { Loadable } from './admin-state.svelte';

export type ReferenceTab = 'departments' | 'serviceItems' | 'settings';

export class ReferenceDataState {
  readonly windows: Loadable<WindowsResponse>;

  constructor({
    call,
    windows,
  }: {
    call: AdminCall;
    windows: Loadable<WindowsResponse>;
    onError: (error: unknown) => void;
  }) {
    void call;
    this.windows = windows;
  }

  /** What the tab's heading reloads. */
  section(_tab: ReferenceTab): Loadable<unknown> {
    return this.windows;
  }
}
