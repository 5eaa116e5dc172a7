/** Console messages of exports to CSV and XLSX; part of the console's catalog (admin.zh-CN.ts). */
const messages = {
  exports: {},
};

export default messages;
