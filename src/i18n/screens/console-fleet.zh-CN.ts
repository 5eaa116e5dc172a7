/** Console messages of fleet health and device management; part of the console's catalog (admin.zh-CN.ts). */
const messages = {
  fleet: {},
};

export default messages;
