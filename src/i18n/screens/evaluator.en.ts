/** English messages of the window evaluator (/kiosk/evaluator): the same keys as `evaluator.zh-CN.ts`. */
import type evaluatorZhCN from './evaluator.zh-CN';
import armed from './evaluator-armed.en';

const evaluator: typeof evaluatorZhCN = {
  evaluator: {
    onDuty: 'Leader on duty today: {title}',
    pageTitle: 'Window evaluator',
    prompt: 'Please rate the service at this window',
    tapHint: 'Tap a button below to rate',
    reasonsTitle: 'Please tell us what went wrong',
    back: 'Back',
    submit: 'Submit rating',
    thanksTitle: 'Thank you for your rating!',
    thanksText: 'We wish you a smooth day.',
    errorTitle: 'The rating was not saved',
    backToStart: 'Back to the start',
    notEnrolledTitle: 'This device is not enrolled',
    notEnrolledText:
      'A window evaluator must first be enrolled and bound to a window by an administrator. Please complete the setup with the enrollment code you were given.',
    setupLink: 'Go to device setup',
    wrongRoleTitle: 'This device is not a window evaluator',
    wrongRoleText: 'This device is enrolled as “{role}” and cannot be used as a window evaluator.',
    noWindowTitle: 'Loading window details',
    noWindowText:
      'The device is enrolled but does not have its window’s details yet. Please make sure it is online once; it will be ready shortly.',
    revokedTitle: 'This device has been disabled',
    revokedText:
      'An administrator has disabled this device, so it can no longer take ratings. Ratings already saved are kept. Please contact hall staff.',
  },
  ...armed,
};

export default evaluator;
