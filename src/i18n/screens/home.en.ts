/** English messages of the start page: the same keys as `home.zh-CN.ts`. */
import type homeZhCN from './home.zh-CN';

const home: typeof homeZhCN = {
  home: {
    pageTitle: 'Home',
    title: 'Service Hall Terminal',
    intro: 'Satisfaction ratings, leaders on duty and walk-throughs — working even offline.',
    ratingNote: 'Citizens: scan the QR code on a window’s rating card to rate it.',
    evaluator: 'Window evaluator',
    evaluatorText: 'The tablet at a window: citizens rate with one tap.',
    inspect: 'Inspection tablet',
    inspectText: 'Leaders’ walk-throughs and visits: record problems with photos, follow them up.',
    setup: 'Device setup',
    setupText: 'Enroll this device with a code from your administrator.',
    admin: 'Management console',
    adminText: 'Print rating cards, manage devices, review ratings.',
  },
};

export default home;
