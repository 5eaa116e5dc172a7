/** Messages of the armed evaluator (请评价); part of the evaluator's catalog (evaluator.zh-CN.ts). */
const messages = {
  armed: {
    closed: '请在业务办理完成后，由工作人员邀请评价',
    countdown: '请在 {seconds} 秒内评价',
    staffLabel: '工作人员专用',
    staffButton: '请评价',
  },
};

export default messages;
