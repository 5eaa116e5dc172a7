/** Messages of the public hall board (/board, 大厅公示屏), loaded with that screen. */
const board = {
  board: {
    pageTitle: '大厅公示屏',
    onDutyTitle: '今日局长坐班',
    onDutyNone: '今日没有局长坐班安排。',
    signedIn: '正在坐班',
    scheduled: '已安排',
    span: '{start}–{end}',
    since: '{start} 起',
    wholeDepartment: '部门整体',
    satisfactionTitle: '{month}月各部门满意度',
    department: '部门',
    goodRate: '好评率',
    averageScore: '平均分',
    ratings: '评价数',
    noRatings: '暂无评价',
    percent: '{value}%',
    score: '{value} 分',
    count: '{count} 条',
    noDepartments: '暂无部门。',
    updated: '更新于 {time}',
    stale: '暂时无法连接服务器，以下为 {time} 的信息，恢复后会自动更新。',
    failed: '暂时无法获取公示信息，页面会自动重试。',
    loading: '正在获取公示信息…',
    date: '{year}年{month}月{day}日',
  },
};

export default board;
