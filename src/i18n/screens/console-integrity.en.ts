/** Console messages of rating integrity; part of the console's catalog (admin.en.ts). */
import type zhCN from './console-integrity.zh-CN';

const messages: typeof zhCN = {
  armedSettings: {
    label: 'Seconds an evaluator waits for a rating after 请评价',
    hint: "0 turns this off. When on, the evaluator's buttons stay closed until the window's staff press 请评价 after serving a citizen, then take one rating within this time.",
  },
  ratingFlags: {
    title: 'Unusual ratings',
    intro:
      'Signs of rating fraud the system found: many ratings in a short time from one evaluator, one phone or one network address, and QR rating requests that were held back. The ratings are still counted and never deleted; check them and record your judgement.',
    kinds: {
      evaluator_burst: 'Evaluator rating too fast',
      phone_burst: 'One phone rating repeatedly',
      address_burst: 'Many ratings from one address',
      rate_limited: 'QR ratings held back',
    },
    subjects: {
      evaluator_burst: 'Evaluator {id}',
      phone_burst: 'Phone {id}',
      address_burst: 'Network address (kept only as a keyed hash) {id}',
      rate_limited: '{id}',
    },
    limits: {
      perAddress: 'One network address',
      perWindow: 'One window',
    },
    kind: 'Kind',
    window: 'Window',
    span: 'Period',
    count: 'Count',
    status: 'Review',
    spanValue: '{from} to {to}',
    countValue: '{n} ratings',
    limitedValue: '{n} requests held back',
    rule: 'Rule: more than {max} within {minutes} min',
    limitRule:
      '{limit}: at most {max} within {minutes} min; beyond that, phones send again later by themselves',
    anyWindow: 'Several windows',
    open: 'To review',
    reviewed: '{verdict} ({by}, {time})',
    verdicts: {
      kept: 'Kept',
      fraud: 'Judged as fraud',
    },
    showRatings: 'Show the ratings ({n})',
    ratingTime: 'Time',
    ratingLevel: 'Rating',
    counted: 'Counted',
    repeat: 'Repeated press, not counted',
    note: 'Judgement',
    keep: 'Keep',
    fraud: 'Judge as fraud',
    saving: 'Saving…',
    done: 'Your judgement was recorded.',
    empty: 'No unusual ratings.',
    extras: {
      title: 'Repeated presses',
      intro:
        'Presses repeated within a few seconds on an evaluator count once; the extra presses are kept here for audit.',
      time: 'Time',
      window: 'Window',
      level: 'Pressed',
      reason: 'Note',
      reasonText: 'Repeated press, not counted',
      empty: 'No repeated presses.',
    },
  },
};

export default messages;
