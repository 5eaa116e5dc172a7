/**
 * Messages of the duty kiosk once a leader has chosen themself (the PIN pad, the session and its
 * ledger), loaded with those parts of the screen rather than with the schedule.
 */
const dutyLeader = {
  dutyLeader: {
    pinTitle: '{title}，请输入个人PIN码',
    pinDigits: '已输入 {count} 位',
    pinPad: 'PIN码键盘',
    backspace: '退格',
    clear: '清除',
    submitPin: '确认签到',
    cancel: '返回',
    pinErrors: {
      wrong_pin: {
        one: 'PIN码错误，还可再试 {count} 次。',
        other: 'PIN码错误，还可再试 {count} 次。',
      },
      locked: 'PIN码错误次数过多，本终端已暂时锁定该领导的签到。',
      no_pin: '本终端尚未取得该领导的PIN码。请联网同步后再试，或请管理员设置PIN码。',
      unknown_leader: '未找到该领导，请返回重新选择。',
      pin_format: 'PIN码为4至8位数字。',
      storage: '抱歉，本机存储暂时不可用，未能签到。请稍后再试或告知工作人员。',
    },
    lockedFor: '请在 {time} 后再试',
    sessionTitle: '{title} 正在坐班',
    since: '签到时间：{time}',
    unscheduled: '非排班坐班',
    scheduled: '排班：{start}–{end}',
    totals:
      '接待 {served} 人 · 办件 {cases} 件 · 现场解决 {solved} · 投诉 {complaints} · 建议 {suggestions}',
    ledgerTitle: '坐班台账',
    addTitle: '添加台账记录',
    kindLabel: '记录类型',
    countLabel: '数量（人数或件数）',
    textLabel: '情况说明',
    textOptional: '备注（可不填）',
    followUp: '需要跟进整改',
    add: '添加记录',
    saved: '已记入台账。',
    followUpMark: '需跟进',
    ledgerEmpty: '本次坐班还没有台账记录。',
    ledgerErrors: {
      count_required: '请填写数量（1 至 10000 的整数）。',
      text_required: '请填写情况说明。',
      storage: '抱歉，本机存储暂时不可用，这条记录未能保存。请稍后再试。',
    },
    signOut: '签退',
    signOutConfirm: '确认签退吗？签退后本次坐班结束。',
    signOutYes: '确认签退',
    signOutNo: '继续坐班',
    leave: '返回首页（保持签到）',
  },
};

export default dutyLeader;
