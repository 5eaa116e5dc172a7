/** How each rating level looks: an accent colour for its icon and border, a tint behind it. */
import type { RatingLevel } from '../domain/rating';

export interface LevelTone {
  /** Icon and border colour (≥ 3:1 against white and against the tint). */
  accent: string;
  /** Background tint; text on it stays dark. */
  tint: string;
}

export const LEVEL_TONES: Record<RatingLevel, LevelTone> = {
  very_satisfied: { accent: '#1b7340', tint: '#e5f4ea' },
  satisfied: { accent: '#3f7a1c', tint: '#eef6e6' },
  basically_satisfied: { accent: '#8c6200', tint: '#fcf3dc' },
  dissatisfied: { accent: '#b24a0c', tint: '#fdede3' },
  very_dissatisfied: { accent: '#ab231b', tint: '#fbe9e8' },
};
