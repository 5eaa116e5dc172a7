/** English console messages of exports to CSV and XLSX: the same keys as `console-exports.zh-CN.ts`. */
import type zhCN from './console-exports.zh-CN';

const messages: typeof zhCN = {
  exports: {},
};

export default messages;
