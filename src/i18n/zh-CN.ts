/**
 * The source message catalog (Simplified Chinese, the default language): the shell's words and
 * those several screens share. Each screen's own words are in `screens/<screen>.zh-CN.ts`,
 * loaded with that screen (see `parts.ts`). Every visible string of the app lives in these
 * catalogs; the English ones must have exactly the same keys. `{name}` marks a parameter; a
 * `{ one, other }` pair is chosen by the count parameter.
 */
import { RATING_LABELS } from '../domain/rating';
import storageNotice from './storage-notice.zh-CN';

const zhCN = {
  app: {
    name: '政务服务大厅终端',
    skipToContent: '跳到主要内容',
    loading: '正在加载…',
    loadFailed: '页面加载失败，请检查网络后重试。',
    retry: '重试',
    home: '返回首页',
  },
  locale: {
    /** Name of the language the switch changes to, written in that language. */
    switchTo: 'English',
  },
  storageNotice,
  update: {
    available: '有新版本可用。',
    reload: '立即更新',
  },
  levels: { ...RATING_LABELS['zh-CN'] },
  levelHints: {
    very_satisfied: '服务很好',
    satisfied: '服务较好',
    basically_satisfied: '服务一般',
    dissatisfied: '需要改进',
    very_dissatisfied: '服务很差',
  },
  reasons: {
    waited_too_long: '等候时间长',
    too_many_documents: '材料要求多',
    had_to_come_back: '多次跑腿',
    unclear_guidance: '指引不清楚',
    attitude: '服务态度差',
    system_down: '系统故障',
    other: '其他',
  },
  roles: {
    evaluator: '窗口评价器',
    duty_kiosk: '局长坐班终端',
    inspection_tablet: '走流程巡查平板',
  },
  sync: {
    pending: { one: '{count} 条记录待同步', other: '{count} 条记录待同步' },
    allSynced: '评价已全部同步',
    pendingPhotos: { one: '{count} 张照片待上传', other: '{count} 张照片待上传' },
    lastSync: '上次同步：{time}',
    neverSynced: '尚未同步',
    syncing: '正在同步…',
    offline: '网络未连接，记录已安全保存在本机，联网后自动上传。',
    rejected: {
      one: '{count} 条记录被服务器拒收，请告知工作人员。',
      other: '{count} 条记录被服务器拒收，请告知工作人员。',
    },
    storageFull: '本机存储空间已满，新的评价无法保存，请告知工作人员。',
    revoked: '本设备已被管理员停用，请联系大厅工作人员。',
    unauthorized: '本设备未获授权，请联系大厅工作人员重新登记。',
  },
  writeErrors: {
    storage_full: '抱歉，本机存储空间已满，这条评价未能保存。请告知工作人员。',
    storage_unavailable: '抱歉，本机存储暂时不可用，这条评价未能保存。请稍后再试或告知工作人员。',
    duplicate_ticket: '这个排队号或办件号已经评价过了，感谢您的参与。',
    too_soon: '您刚刚已评价过本窗口，感谢您的参与。如需再次评价，请稍后再试。',
  },
  rating: {
    chooseLegend: '请选择满意程度',
    reasonsLegend: '请告诉我们不满意的原因',
    reasonsHint: '至少勾选一项原因或填写意见。',
    commentLabel: '意见或建议',
    commentHint: '选填，最多 {max} 字。',
    ticketLabel: '排队号或办件号（选填）',
    ticketHint: '填写后，同一号码只能评价一次。',
    submit: '提交评价',
    saving: '正在保存…',
    needLevel: '请先选择满意程度。',
    needReason: '请至少勾选一项不满意的原因，或填写意见。',
  },
};

export default zhCN;
export type CoreCatalog = typeof zhCN;
