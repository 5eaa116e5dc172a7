/**
 * 好差评: the national five-level satisfaction scale, stored by meaning. Numeric codes exist only
 * at export, because the national data standard and several provincial interfaces number the
 * levels in opposite directions (design §1).
 */
export const RATING_LEVELS = [
  'very_satisfied', // 非常满意
  'satisfied', // 满意
  'basically_satisfied', // 基本满意
  'dissatisfied', // 不满意
  'very_dissatisfied', // 非常不满意
] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number];

export const RATING_LABELS: Record<'zh-CN' | 'en', Record<RatingLevel, string>> = {
  'zh-CN': {
    very_satisfied: '非常满意',
    satisfied: '满意',
    basically_satisfied: '基本满意',
    dissatisfied: '不满意',
    very_dissatisfied: '非常不满意',
  },
  en: {
    very_satisfied: 'Very satisfied',
    satisfied: 'Satisfied',
    basically_satisfied: 'Basically satisfied',
    dissatisfied: 'Dissatisfied',
    very_dissatisfied: 'Very dissatisfied',
  },
};

/** 差评: the two levels that need a reason and are followed up. */
export function isPoorRating(level: RatingLevel): boolean {
  return level === 'dissatisfied' || level === 'very_dissatisfied';
}

/** 好评: the two levels counted in 好评率. */
export function isGoodRating(level: RatingLevel): boolean {
  return level === 'very_satisfied' || level === 'satisfied';
}

/** Score for averages: 5 = very satisfied … 1 = very dissatisfied. */
export function ratingScore(level: RatingLevel): number {
  return 5 - RATING_LEVELS.indexOf(level);
}

/**
 * Export code maps. `national`: 1 = 非常满意 … 5 = 非常不满意 (the national data standard);
 * `ascending`: 1 = 非常不满意 … 5 = 非常满意 (as several provincial interfaces number them).
 */
export type LevelCodeMap = 'national' | 'ascending';

export function levelToCode(level: RatingLevel, map: LevelCodeMap): number {
  const i = RATING_LEVELS.indexOf(level);
  return map === 'national' ? i + 1 : 5 - i;
}

export function codeToLevel(code: number, map: LevelCodeMap): RatingLevel | null {
  if (!Number.isInteger(code) || code < 1 || code > 5) return null;
  return RATING_LEVELS[map === 'national' ? code - 1 : 5 - code] ?? null;
}

/** Where a rating was given, with the channel codes of the 好差评 exchange. */
export const RATING_CHANNELS = {
  pc: 1, // PC端
  mobile: 2, // 移动端
  qr: 3, // 二维码
  hall_tablet: 4, // 政务大厅平板电脑
  hall_terminal: 5, // 政务大厅其他终端
  phone_call: 6, // 电话
  sms: 7, // 短信
} as const;
export type RatingChannel = keyof typeof RATING_CHANNELS;
export const RATING_CHANNEL_NAMES = Object.keys(RATING_CHANNELS) as RatingChannel[];

/** Reasons a citizen can tick on a 差评. */
export const POOR_RATING_REASONS = [
  'waited_too_long', // 等候时间长
  'too_many_documents', // 材料要求多
  'had_to_come_back', // 多次跑腿
  'unclear_guidance', // 指引不清楚
  'attitude', // 服务态度差
  'system_down', // 系统故障
  'other', // 其他
] as const;
export type PoorRatingReason = (typeof POOR_RATING_REASONS)[number];

export const COMMENT_MAX = 500;
export const TICKET_MAX = 64;
