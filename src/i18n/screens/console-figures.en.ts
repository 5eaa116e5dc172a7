/** English console messages of dashboard, ranking and the monthly report: the same keys as `console-figures.zh-CN.ts`. */
import type zhCN from './console-figures.zh-CN';

const messages: typeof zhCN = {
  figures: {},
};

export default messages;
