/** Console messages of citizens' call-back numbers; part of the console's catalog (admin.en.ts). */
const messages = {
  callbackNumber: {
    label: 'Call-back number',
    hint: 'Left by the citizen for the call-back of this poor rating only; erased when the problem is closed. Every reveal is logged.',
    reveal: 'Show number',
    revealing: 'Fetching…',
    revealed: 'This reveal has been logged.',
    hide: 'Hide number',
    erased: 'Number erased as required ({time})',
    reveals: 'Shown {count} times, last: {by}, {time}',
    errors: {
      number_erased: 'The problem is closed and the number has been erased.',
      no_number: 'The citizen left no number for this poor rating.',
    },
  },
};

export default messages;
