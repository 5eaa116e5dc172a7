/** English messages of device setup (/setup): the same keys as `setup.zh-CN.ts`. */
import type setupZhCN from './setup.zh-CN';

const setup: typeof setupZhCN = {
  setup: {
    pageTitle: 'Device setup',
    title: 'Enroll this device',
    intro:
      'Enter the enrollment code from your administrator to set this device up as a hall terminal (for example a window evaluator).',
    codeLabel: 'Enrollment code',
    codeHint: '8 letters or digits, for example ABCD-2345.',
    nameLabel: 'Device name (optional)',
    nameHint: 'Helps administrators recognise it, for example “Window A01 tablet”.',
    submit: 'Enroll',
    submitting: 'Enrolling…',
    needCode: 'Please enter the enrollment code.',
    successTitle: 'Enrolled',
    successText: 'This device is now enrolled as “{role}”.',
    openEvaluator: 'Open the window evaluator',
    errors: {
      invalid_code: 'That enrollment code is not correct. Please check it and try again.',
      expired_code:
        'That enrollment code has expired. Please ask your administrator for a new one.',
      used_code:
        'That enrollment code has already been used. Please ask your administrator for a new one.',
      offline:
        'The server cannot be reached. Enrolling needs the network; please check it and try again.',
      server_error: 'The server could not complete the enrollment. Please try again later.',
      unsynced_records:
        'This device still holds ratings that have not reached the server. Connect it and let it sync before enrolling it again; if the device was revoked, ask your administrator.',
    },
  },
};

export default setup;
