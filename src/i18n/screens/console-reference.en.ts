/** English console messages of departments, windows, service items and hall settings: the same keys as `console-reference.zh-CN.ts`. */
import type zhCN from './console-reference.zh-CN';

const messages: typeof zhCN = {
  refdata: {},
};

export default messages;
