/** English console messages of fleet health and device management: the same keys as `console-fleet.zh-CN.ts`. */
import type zhCN from './console-fleet.zh-CN';

const messages: typeof zhCN = {
  fleet: {
    rules:
      'Opening hours {open}–{close} on working days; an evaluator without a rating for more than {minutes} minutes of opening hours, and any device not synced for 24 hours, are reported.',
    alertsTitle: 'Devices to look at',
    noAlerts: 'All devices are working normally.',
    silentEvaluator:
      'Evaluator “{name}” ({window}) has had no rating for more than {minutes} minutes of opening hours, since {since}.',
    notSynced: '“{name}” has not synced for more than 24 hours; last contact {since}.',
    columns: {
      name: 'Name',
      role: 'Use',
      window: 'Window',
      lastContact: 'Last contact',
      pending: 'Waiting',
      storage: 'Storage',
      version: 'Version',
      lastRating: 'Last rating',
      status: 'Status',
      actions: 'Actions',
    },
    justNow: 'just now',
    minutesAgo: '{n} min ago',
    hoursAgo: '{n} h ago',
    daysAgo: '{n} days ago',
    storageUsed: '{used} used of {quota}',
    persistent: 'persistent',
    notPersistent: 'not persistent, the browser may clear it',
    notReported: 'not reported',
    edit: 'Edit',
    editTitle: 'Edit “{name}”',
    nameLabel: 'Device name',
    windowLabel: 'Window',
    bindHint:
      'The evaluator rates the new window after its next sync; earlier ratings stay with the old window.',
    saved: '“{name}” saved.',
    errors: {
      not_evaluator: 'Only a window evaluator is bound to a window.',
      unknown_window: 'That window does not exist or is closed; choose another.',
      revoked: 'This device has been revoked and cannot be changed.',
      unknown_device: 'The device was not found; reload and try again.',
      invalid_body: 'A device name has at most 60 characters.',
    },
  },
};

export default messages;
