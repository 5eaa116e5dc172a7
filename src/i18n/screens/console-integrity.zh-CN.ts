/** Console messages of rating integrity (异常评价); part of the console's catalog (admin.zh-CN.ts). */
const messages = {
  armedSettings: {
    label: '评价器“请评价”后等待评价的时间（秒）',
    hint: '填 0 表示不启用。启用后，评价器的按钮平时不可按，由窗口工作人员在业务办理完成后按“请评价”，群众在这段时间内评价一次。',
  },
  ratingFlags: {
    title: '异常评价',
    intro:
      '系统发现的刷评迹象：同一评价器、同一手机或同一网络地址在短时间内大量评价，以及被限流的扫码评价请求。评价仍然计入统计，不会被删除，请核实后给出处理意见。',
    kinds: {
      evaluator_burst: '评价器评价过快',
      phone_burst: '同一手机连续评价',
      address_burst: '同一网络地址大量评价',
      rate_limited: '扫码评价被限流',
    },
    subjects: {
      evaluator_burst: '评价器 {id}',
      phone_burst: '手机 {id}',
      address_burst: '网络地址（仅存加密摘要）{id}',
      rate_limited: '{id}',
    },
    limits: {
      perAddress: '同一网络地址',
      perWindow: '同一窗口',
    },
    kind: '类型',
    window: '窗口',
    span: '时间段',
    count: '数量',
    status: '处理情况',
    spanValue: '{from} 至 {to}',
    countValue: '{n} 条评价',
    limitedValue: '{n} 次请求被暂缓',
    rule: '规则：{minutes} 分钟内超过 {max} 条',
    limitRule: '{limit}：{minutes} 分钟内最多 {max} 条，超出后手机稍后自动重发',
    anyWindow: '多个窗口',
    open: '待处理',
    reviewed: '{verdict}（{by}，{time}）',
    verdicts: {
      kept: '保留',
      fraud: '判定为刷评',
    },
    showRatings: '查看涉及的评价（{n}）',
    ratingTime: '时间',
    ratingLevel: '评价',
    counted: '已计入',
    repeat: '重复按键，未计入',
    note: '处理意见',
    keep: '保留',
    fraud: '判定为刷评',
    saving: '正在保存…',
    done: '已记录处理意见。',
    empty: '没有异常评价。',
    extras: {
      title: '重复按键记录',
      intro: '评价器上几秒内重复按下的评价只计一次，多出的按键保留在这里备查。',
      time: '时间',
      window: '窗口',
      level: '按下的评价',
      reason: '说明',
      reasonText: '重复按键，未计入',
      empty: '没有重复按键记录。',
    },
  },
};

export default messages;
