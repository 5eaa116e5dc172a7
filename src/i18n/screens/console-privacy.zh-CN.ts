/** Console messages of citizens' call-back numbers; part of the console's catalog (admin.zh-CN.ts). */
const messages = {
  callbackNumber: {
    label: '回访电话',
    hint: '群众留下的号码仅用于本次差评回访，问题办结后自动删除。每次查看都会记录。',
    reveal: '显示号码',
    revealing: '正在获取…',
    revealed: '本次查看已记录。',
    hide: '隐藏号码',
    erased: '号码已按规定删除（{time}）',
    reveals: '已查看 {count} 次，最近一次：{by}，{time}',
    errors: {
      number_erased: '问题已办结，号码已按规定删除。',
      no_number: '群众没有为这条差评留下号码。',
    },
  },
};

export default messages;
