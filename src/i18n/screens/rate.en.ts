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
    thanksProgress: 'You can follow how it is handled on this page.',
    callback: {
      title: 'Leave a mobile number for our call-back (optional)',
      purpose:
        'Used only to call you back about this rating, never shown to anyone else, and erased once the problem is closed.',
      label: 'Mobile number',
      submit: 'Send number',
      saving: 'Saving…',
      kept: 'Thank you, we will call you back soon.',
      invalid: 'Enter an 11-digit mainland mobile number starting with 1.',
      failed: 'The number could not be kept on this phone. Please try again.',
    },
    progress: {
      title: 'How my poor ratings are handled',
      intro:
        'These are the poor ratings you gave from this phone, and how the hall is handling them.',
      loading: 'Checking progress…',
      offline: 'No network connection. Connect to see how your ratings are handled.',
      failed: 'Progress cannot be checked right now. Please try again later.',
      refresh: 'Refresh progress',
      ratedAt: 'Rated on {time}',
      yourRating: 'Your rating: {level}',
      stepsLabel: 'Progress',
      stageAccept: 'Acceptance',
      stageRectify: 'Putting right',
      stageCallBack: 'Call back',
      /** Read out after a stage's words: whether it is done. */
      stateSuffix: ' ({state})',
      stateDone: 'done',
      stateCurrent: 'in progress',
      stateWaiting: 'not started',
      stateStopped: 'stopped',
      accepted: 'Accepted',
      awaitingAccept: 'Waiting to be accepted',
      underReview: 'Under review after an appeal',
      setAside: 'Found not to be valid on review',
      awaitingRectify: 'Waiting to be put right',
      rectifying: 'Being put right',
      rectified: 'Put right',
      awaitingCallBack: 'Waiting for the call back',
      calledBack: 'Called back',
      notStarted: 'Not started',
      notNeeded: 'Not needed',
      summaryHandling: 'Being handled',
      summaryCanFollowUp: 'Put right — please rate again',
      summaryFollowedUp: 'Put right — you rated again',
      underReviewText:
        'The department has appealed against this rating and it is being reviewed. The result will show here.',
      setAsideText:
        'On review this rating was found not to be valid and is no longer treated as a problem.',
    },
    followUp: {
      title: 'Rate again',
      prompt: 'Are you satisfied now that it has been put right? Please rate again',
      commentLabel: 'Further comments (optional)',
      commentHint: 'Optional, at most {max} characters.',
      submit: 'Send my new rating',
      saving: 'Saving…',
      needLevel: 'Please choose how satisfied you are first.',
      thanks: 'Thank you for rating again',
      given: 'Your new rating: {level}',
      unknown_rating:
        'This poor rating was not given from this phone, so it cannot be rated again here.',
      already_followed_up: 'You have already rated this again. Thank you for taking part.',
      not_followable: 'This has not been put right yet, so it cannot be rated again for now.',
    },
  },
  outcomes: {
    refused: 'Sorry, a rating you submitted earlier was not counted: {reason}',
    refusedGeneric: 'The server could not accept it.',
    followUpRefused: 'Sorry, your new rating was not counted: {reason}',
  },
};

export default rate;
