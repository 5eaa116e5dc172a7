/** English messages of the not-found and not-yet-available pages: the same keys as `not-found.zh-CN.ts`. */
import type notFoundZhCN from './not-found.zh-CN';

const notFound: typeof notFoundZhCN = {
  notFound: {
    pageTitle: 'Page not found',
    title: 'Page not found',
    text: 'The page you asked for does not exist. Please check the address.',
    unavailableTitle: 'Not available yet',
    unavailableText: 'This page will come in a later version.',
  },
};

export default notFound;
