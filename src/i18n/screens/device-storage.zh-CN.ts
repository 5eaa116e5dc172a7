/** Console messages of the devices' local storage; part of the console's catalog (admin.zh-CN.ts). */
const messages = {
  deviceStorage: {
    retentionLabel: '设备保留已同步记录的天数',
    retentionHint:
      '评价器、坐班终端和巡查平板只删除服务器已收到、且早于这个天数的记录，以保持运行流畅；未上传的记录、未办结的问题和走流程、当天的坐班记录都不会删除。7 到 3650 天。',
  },
};

export default messages;
