/** Console messages of dashboard, ranking and the monthly report; part of the console's catalog (admin.zh-CN.ts). */
const messages = {
  figures: {},
};

export default messages;
