/** Messages of the window evaluator (/kiosk/evaluator), loaded with that screen. */
import armed from './evaluator-armed.zh-CN';

const evaluator = {
  evaluator: {
    onDuty: '今日坐班：{title}',
    pageTitle: '窗口评价器',
    prompt: '请您对本窗口的服务进行评价',
    tapHint: '轻触下方按钮即可完成评价',
    reasonsTitle: '请告诉我们哪里做得不好',
    back: '返回',
    submit: '提交评价',
    thanksTitle: '感谢您的评价！',
    thanksText: '祝您办事顺利。',
    errorTitle: '评价未能保存',
    backToStart: '返回评价首页',
    notEnrolledTitle: '本设备尚未登记',
    notEnrolledText: '窗口评价器需要先由管理员登记并绑定窗口。请使用管理员提供的登记码完成设置。',
    setupLink: '前往设备登记',
    wrongRoleTitle: '本设备不是窗口评价器',
    wrongRoleText: '本设备登记的用途是“{role}”，不能用作窗口评价器。',
    noWindowTitle: '正在获取窗口信息',
    noWindowText: '设备已登记，但尚未取得所绑定窗口的信息。请确保设备联网一次，稍候即可使用。',
    revokedTitle: '本设备已停用',
    revokedText: '管理员已停用本设备，不能继续评价。已保存的评价不会丢失。请联系大厅工作人员。',
  },
  ...armed,
};

export default evaluator;
