/** Console messages of departments, windows, service items and hall settings; part of the console's catalog (admin.zh-CN.ts). */
const messages = {
  refdata: {},
};

export default messages;
