/** The inspection tablet's words for its long lists; part of its catalog (inspect.en.ts). */
import type zhCN from './inspect-paging.zh-CN';

const messages: typeof zhCN = {
  inspectPaging: {
    moreProblems: 'Show more problems',
  },
};

export default messages;
