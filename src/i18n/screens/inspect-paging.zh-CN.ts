/** The inspection tablet's words for its long lists; part of its catalog (inspect.zh-CN.ts). */
const messages = {
  inspectPaging: {
    moreProblems: '显示更多问题',
  },
};

export default messages;
