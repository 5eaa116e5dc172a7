/** English messages of the armed evaluator: the same keys as `evaluator-armed.zh-CN.ts`. */
import type zhCN from './evaluator-armed.zh-CN';

const messages: typeof zhCN = {
  armed: {
    closed: 'When your business is done, the staff will invite you to rate',
    countdown: 'Please rate within {seconds} s',
    staffLabel: 'Staff only',
    staffButton: 'Invite rating (请评价)',
  },
};

export default messages;
