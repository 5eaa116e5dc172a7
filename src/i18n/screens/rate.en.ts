/** English messages of the rating page (/r/:code): the same keys as `rate.zh-CN.ts`. */
import type rateZhCN from './rate.zh-CN';

const rate: typeof rateZhCN = {
  rate: {
    pageTitle: 'Rate our service',
    prompt: 'Please rate the service you received',
    thanksTitle: 'Thank you for your rating!',
    thanksText: 'Your rating has been saved. We read every comment carefully.',
    thanksPoor: 'We will look into it and put it right, and may contact you if needed.',
    rateAgain: 'Rate another service',
    linkErrorTitle: 'This rating link is not valid',
    linkErrorText:
      'The QR code or link is incomplete, or the window does not exist, so it cannot be rated. Please scan the rating card displayed at the window, or ask hall staff.',
    offlineTitle: 'Please connect to the internet',
    offlineText:
      'The rating page needs the network the first time it opens. Please connect and try again; after that it works without a network too.',
    loadingWindow: 'Loading window details…',
  },
  outcomes: {
    refused: 'Sorry, a rating you submitted earlier was not counted: {reason}',
    refusedGeneric: 'The server could not accept it.',
  },
};

export default rate;
