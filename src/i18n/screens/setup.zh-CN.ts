/** Messages of device setup (/setup), loaded with that screen. */
const setup = {
  setup: {
    pageTitle: '设备登记',
    title: '登记本设备',
    intro: '输入管理员提供的登记码，将本设备登记为大厅终端（例如窗口评价器）。',
    codeLabel: '登记码',
    codeHint: '8 位字母或数字，例如 ABCD-2345。',
    nameLabel: '设备名称（选填）',
    nameHint: '便于管理员识别，例如“A01 窗口平板”。',
    submit: '登记',
    submitting: '正在登记…',
    needCode: '请输入登记码。',
    successTitle: '登记成功',
    successText: '本设备已登记为“{role}”。',
    openEvaluator: '打开窗口评价器',
    errors: {
      invalid_code: '登记码不正确，请核对后重新输入。',
      expired_code: '登记码已过期，请向管理员索取新的登记码。',
      used_code: '登记码已被使用过，请向管理员索取新的登记码。',
      offline: '无法连接服务器。登记需要联网，请检查网络后重试。',
      server_error: '服务器暂时无法处理登记，请稍后重试。',
      unsynced_records:
        '本机还有评价尚未上传到服务器。请先联网等待同步完成，再重新登记；如果本设备已被停用，请联系管理员。',
    },
  },
};

export default setup;
