/** Console messages of fleet health and device management; part of the console's catalog (admin.zh-CN.ts). */
const messages = {
  fleet: {
    rules:
      '营业时间 {open}–{close}（工作日）；评价器在营业时间内超过 {minutes} 分钟没有评价、任何设备超过 24 小时没有同步时提醒。',
    alertsTitle: '需要留意的设备',
    noAlerts: '所有设备运行正常。',
    silentEvaluator:
      '评价器“{name}”（{window}）在营业时间内已超过 {minutes} 分钟没有评价，自 {since} 起。',
    notSynced: '“{name}”已超过 24 小时没有同步，最后联系：{since}。',
    columns: {
      name: '名称',
      role: '用途',
      window: '窗口',
      lastContact: '最近联系',
      pending: '待同步',
      storage: '存储',
      version: '版本',
      lastRating: '最近评价',
      status: '状态',
      actions: '操作',
    },
    justNow: '刚刚',
    minutesAgo: '{n} 分钟前',
    hoursAgo: '{n} 小时前',
    daysAgo: '{n} 天前',
    storageUsed: '已用 {used} / 共 {quota}',
    persistent: '持久保存',
    notPersistent: '非持久，可能被浏览器清理',
    notReported: '未报告',
    edit: '修改',
    editTitle: '修改“{name}”',
    nameLabel: '设备名称',
    windowLabel: '绑定窗口',
    bindHint: '评价器在下次同步后改为评价新窗口；之前的评价仍计入原窗口。',
    saved: '已保存“{name}”。',
    errors: {
      not_evaluator: '只有窗口评价器可以绑定窗口。',
      unknown_window: '该窗口不存在或已停用，请选择其他窗口。',
      revoked: '该设备已停用，不能再修改。',
      unknown_device: '找不到该设备，请刷新后再试。',
      invalid_body: '设备名称最多 60 个字。',
    },
  },
};

export default messages;
