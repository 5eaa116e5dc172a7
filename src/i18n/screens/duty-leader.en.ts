/** English messages of the duty kiosk's PIN pad and session: the same keys as `duty-leader.zh-CN.ts`. */
import type dutyLeaderZhCN from './duty-leader.zh-CN';

const dutyLeader: typeof dutyLeaderZhCN = {
  dutyLeader: {
    pinTitle: '{title}, please enter your PIN',
    pinDigits: '{count} digits entered',
    pinPad: 'PIN keypad',
    backspace: 'Delete',
    clear: 'Clear',
    submitPin: 'Sign in',
    cancel: 'Back',
    pinErrors: {
      wrong_pin: {
        one: 'Wrong PIN. {count} try left.',
        other: 'Wrong PIN. {count} tries left.',
      },
      locked: 'Too many wrong PINs: sign-in for this leader is locked on this kiosk for a while.',
      no_pin:
        'This kiosk does not have a PIN for this leader yet. Connect to sync, or ask an administrator to set a PIN.',
      unknown_leader: 'This leader was not found. Go back and choose again.',
      pin_format: 'A PIN has 4 to 8 digits.',
      storage:
        'Sorry, local storage is not available, so you were not signed in. Please try again.',
    },
    lockedFor: 'Try again in {time}',
    sessionTitle: '{title} is on duty',
    since: 'Signed in at {time}',
    unscheduled: 'Unscheduled duty',
    scheduled: 'Scheduled: {start}–{end}',
    totals:
      'Served {served} · cases {cases} · solved on the spot {solved} · complaints {complaints} · suggestions {suggestions}',
    ledgerTitle: 'Duty ledger',
    addTitle: 'Add to the ledger',
    kindLabel: 'Kind of entry',
    countLabel: 'Number (people or cases)',
    textLabel: 'Description',
    textOptional: 'Note (optional)',
    followUp: 'Needs follow-up',
    add: 'Add entry',
    saved: 'Added to the ledger.',
    followUpMark: 'Follow-up',
    ledgerEmpty: 'No ledger entries for this duty yet.',
    ledgerErrors: {
      count_required: 'Please enter a number (a whole number from 1 to 10000).',
      text_required: 'Please enter a description.',
      storage:
        'Sorry, local storage is not available and this entry was not saved. Please try again.',
    },
    signOut: 'Sign out',
    signOutConfirm: 'Sign out now? This ends this duty session.',
    signOutYes: 'Sign out',
    signOutNo: 'Stay on duty',
    leave: 'Back to start (stay signed in)',
  },
};

export default dutyLeader;
