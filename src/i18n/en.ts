/** English catalog: the same keys as `zh-CN.ts`, loaded only when English is chosen. */
import { RATING_LABELS } from '../domain/rating';
import storageNotice from './storage-notice.en';
import type { CoreCatalog } from './zh-CN';

const en: CoreCatalog = {
  app: {
    name: 'Service Hall Terminal',
    skipToContent: 'Skip to main content',
    loading: 'Loading…',
    loadFailed: 'This page could not be loaded. Please check the network and try again.',
    retry: 'Try again',
    home: 'Back to home',
  },
  locale: {
    switchTo: '中文',
  },
  storageNotice,
  update: {
    available: 'A new version is available.',
    reload: 'Update now',
  },
  levels: { ...RATING_LABELS.en },
  levelHints: {
    very_satisfied: 'Excellent service',
    satisfied: 'Good service',
    basically_satisfied: 'Acceptable',
    dissatisfied: 'Needs improvement',
    very_dissatisfied: 'Poor service',
  },
  reasons: {
    waited_too_long: 'Waited too long',
    too_many_documents: 'Too many documents required',
    had_to_come_back: 'Had to come back again',
    unclear_guidance: 'Unclear guidance',
    attitude: 'Staff attitude',
    system_down: 'System was down',
    other: 'Other',
  },
  roles: {
    evaluator: 'Window evaluator',
    duty_kiosk: 'Leader duty kiosk',
    inspection_tablet: 'Inspection tablet',
  },
  sync: {
    pending: { one: '{count} record waiting to sync', other: '{count} records waiting to sync' },
    allSynced: 'All ratings synced',
    pendingPhotos: {
      one: '{count} photo waiting to upload',
      other: '{count} photos waiting to upload',
    },
    lastSync: 'Last sync: {time}',
    neverSynced: 'Not synced yet',
    syncing: 'Syncing…',
    offline: 'No network. Records are saved safely on this device and will upload when online.',
    rejected: {
      one: '{count} record was refused by the server. Please tell staff.',
      other: '{count} records were refused by the server. Please tell staff.',
    },
    storageFull:
      'This device’s storage is full and new ratings cannot be saved. Please tell staff.',
    revoked: 'This device has been disabled by an administrator. Please contact hall staff.',
    unauthorized: 'This device is not authorised. Please ask hall staff to enroll it again.',
  },
  writeErrors: {
    storage_full:
      'Sorry, this device’s storage is full and this rating could not be saved. Please tell staff.',
    storage_unavailable:
      'Sorry, this device’s storage is unavailable right now and this rating could not be saved. Please try again later or tell staff.',
    duplicate_ticket:
      'This ticket or case number has already been rated. Thank you for taking part.',
    too_soon:
      'You rated this window a moment ago. Thank you for taking part — please try again a little later if you want to rate again.',
  },
  rating: {
    chooseLegend: 'How satisfied are you?',
    reasonsLegend: 'Please tell us what went wrong',
    reasonsHint: 'Tick at least one reason or write a comment.',
    commentLabel: 'Comments or suggestions',
    commentHint: 'Optional, up to {max} characters.',
    ticketLabel: 'Queue ticket or case number (optional)',
    ticketHint: 'Each number can be rated only once.',
    submit: 'Submit rating',
    saving: 'Saving…',
    needLevel: 'Please choose how satisfied you are first.',
    needReason: 'Please tick at least one reason or write a comment.',
  },
};

export default en;
