import { describe, expect, it } from 'vitest';
import { rankChange, rankDepartments, scoreDepartment } from '../../src/domain/ranking';

const weights = { satisfaction: 40, attendance: 20, rectification: 20, timeliness: 20 };

describe('scoreDepartment', () => {
  it('weights each share and shows points that add up to the score', () => {
    const s = scoreDepartment(
      {
        satisfaction: { numerator: 9, denominator: 10 }, // 90
        attendance: { numerator: 3, denominator: 4 }, // 75
        rectification: { numerator: 1, denominator: 2 }, // 50
        timeliness: { numerator: 1, denominator: 1 }, // 100
      },
      weights,
    );
    // 0.4·90 + 0.2·75 + 0.2·50 + 0.2·100 = 36 + 15 + 10 + 20
    expect(s.score).toBe(81);
    expect(s.components.satisfaction).toEqual({
      value: 90,
      weight: 40,
      points: 36,
      basis: { numerator: 9, denominator: 10 },
    });
    expect(s.components.attendance.points).toBe(15);
    expect(s.components.rectification.points).toBe(10);
    expect(s.components.timeliness.points).toBe(20);
  });

  it('leaves out a component with nothing behind it and scales the other weights up', () => {
    const s = scoreDepartment(
      {
        satisfaction: { numerator: 1, denominator: 2 }, // 50
        attendance: { numerator: 0, denominator: 0 },
        rectification: { numerator: 0, denominator: 0 },
        timeliness: { numerator: 0, denominator: 0 },
      },
      weights,
    );
    expect(s.score).toBe(50);
    expect(s.components.attendance).toMatchObject({ value: null, points: null, weight: 20 });
  });

  it('keeps the points adding up exactly when shares do not divide evenly', () => {
    const s = scoreDepartment(
      {
        satisfaction: { numerator: 2, denominator: 3 },
        attendance: { numerator: 1, denominator: 3 },
        rectification: { numerator: 5, denominator: 7 },
        timeliness: { numerator: 0, denominator: 3 },
      },
      { satisfaction: 33, attendance: 33, rectification: 33, timeliness: 1 },
    );
    const sum = Object.values(s.components).reduce((t, c) => t + (c.points ?? 0) * 10, 0);
    expect(s.score! * 10).toBeCloseTo(sum, 9);
    expect(s.components.satisfaction.value).toBe(66.7);
  });

  it('has no score when every component is left out or weighs nothing', () => {
    const none = { numerator: 0, denominator: 0 };
    expect(
      scoreDepartment(
        { satisfaction: none, attendance: none, rectification: none, timeliness: none },
        weights,
      ).score,
    ).toBeNull();
    const s = scoreDepartment(
      {
        satisfaction: { numerator: 1, denominator: 1 },
        attendance: none,
        rectification: none,
        timeliness: none,
      },
      { satisfaction: 0, attendance: 50, rectification: 50, timeliness: 0 },
    );
    expect(s.score).toBeNull();
    expect(s.components.satisfaction).toMatchObject({ value: 100, points: null });
  });
});

describe('rankDepartments', () => {
  it('ranks best first, equal scores share a rank, unscored last', () => {
    const rows = rankDepartments([
      { departmentId: 'a', score: 70 },
      { departmentId: 'b', score: null },
      { departmentId: 'c', score: 90 },
      { departmentId: 'd', score: 70 },
      { departmentId: 'e', score: 60 },
    ]);
    expect(rows.map((r) => [r.departmentId, r.rank])).toEqual([
      ['c', 1],
      ['a', 2],
      ['d', 2],
      ['e', 4],
      ['b', null],
    ]);
  });

  it('says how many places a department moved', () => {
    expect(rankChange(2, 5)).toBe(3);
    expect(rankChange(4, 1)).toBe(-3);
    expect(rankChange(null, 1)).toBeNull();
    expect(rankChange(1, null)).toBeNull();
  });
});
