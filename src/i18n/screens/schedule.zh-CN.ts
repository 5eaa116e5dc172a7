/** Messages of the public duty schedule (/schedule, 坐班公示), loaded with that screen. */
const schedule = {
  schedule: {
    pageTitle: '坐班公示',
    title: '局长坐班公示',
    today: '今日坐班',
    week: '本周坐班安排',
    weekRange: '{from} 至 {to}',
    dayDate: '{month}月{day}日',
    department: '部门',
    day: '日期',
    onDuty: '正在坐班',
    wholeDepartment: '部门整体',
    span: '{start}–{end}',
    noneToday: '今日没有坐班安排。',
    noneWeek: '本周暂无坐班安排。',
    loading: '正在获取坐班安排…',
    failed: '暂时无法获取坐班安排，请检查网络，页面会自动重试。',
    stale: '暂时无法连接服务器，显示的是 {time} 获取的信息。',
    updated: '更新于 {time}，每分钟自动刷新',
    weekdays: {
      mon: '星期一',
      tue: '星期二',
      wed: '星期三',
      thu: '星期四',
      fri: '星期五',
      sat: '星期六',
      sun: '星期日',
    },
  },
};

export default schedule;
