import { describe, expect, it } from 'vitest';
import {
  POOR_RATING_REASONS,
  RATING_CHANNELS,
  RATING_LABELS,
  RATING_LEVELS,
  codeToLevel,
  isGoodRating,
  isPoorRating,
  levelToCode,
  ratingScore,
} from '../../src/domain/rating';

describe('rating scale', () => {
  it('has five levels stored by meaning, best first', () => {
    expect(RATING_LEVELS).toEqual([
      'very_satisfied',
      'satisfied',
      'basically_satisfied',
      'dissatisfied',
      'very_dissatisfied',
    ]);
  });

  it('labels every level in Chinese and English', () => {
    expect(RATING_LABELS['zh-CN'].very_satisfied).toBe('非常满意');
    expect(RATING_LABELS['zh-CN'].very_dissatisfied).toBe('非常不满意');
    expect(RATING_LABELS.en.basically_satisfied).toBe('Basically satisfied');
    for (const level of RATING_LEVELS) {
      expect(RATING_LABELS['zh-CN'][level]).toBeTruthy();
      expect(RATING_LABELS.en[level]).toBeTruthy();
    }
  });

  it('treats only the two lowest levels as 差评 and the two highest as 好评', () => {
    expect(RATING_LEVELS.filter(isPoorRating)).toEqual(['dissatisfied', 'very_dissatisfied']);
    expect(RATING_LEVELS.filter(isGoodRating)).toEqual(['very_satisfied', 'satisfied']);
    expect(RATING_LEVELS.map(ratingScore)).toEqual([5, 4, 3, 2, 1]);
  });

  it.each([
    ['very_satisfied', 1, 5],
    ['satisfied', 2, 4],
    ['basically_satisfied', 3, 3],
    ['dissatisfied', 4, 2],
    ['very_dissatisfied', 5, 1],
  ] as const)(
    'maps %s to code %i nationally and %i ascending, and back',
    (level, national, ascending) => {
      expect(levelToCode(level, 'national')).toBe(national);
      expect(levelToCode(level, 'ascending')).toBe(ascending);
      expect(codeToLevel(national, 'national')).toBe(level);
      expect(codeToLevel(ascending, 'ascending')).toBe(level);
    },
  );

  it('refuses codes outside the scale', () => {
    for (const code of [0, 6, 2.5, -1, Number.NaN])
      expect(codeToLevel(code, 'national')).toBeNull();
  });

  it('knows the exchange channel codes and the poor-rating reasons', () => {
    expect(RATING_CHANNELS.qr).toBe(3);
    expect(RATING_CHANNELS.hall_tablet).toBe(4);
    expect(POOR_RATING_REASONS).toContain('waited_too_long');
    expect(POOR_RATING_REASONS).toContain('other');
    expect(POOR_RATING_REASONS).toHaveLength(7);
  });
});
