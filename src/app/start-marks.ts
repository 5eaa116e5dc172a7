/**
 * User Timing names the start-up leaves in the page, for the start-up benchmark's account of where
 * a cold start's time goes (see also `DEVICE_OPEN_MEASURE` in src/screens/open-kiosk.ts).
 */

/** Mark: the first screen's code and messages have loaded. */
export const SCREEN_LOADED_MARK = 'hk:screen-loaded';
