/** English console messages of fleet health and device management: the same keys as `console-fleet.zh-CN.ts`. */
import type zhCN from './console-fleet.zh-CN';

const messages: typeof zhCN = {
  fleet: {},
};

export default messages;
