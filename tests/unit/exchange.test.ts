import { describe, expect, it } from 'vitest';
import {
  EXCHANGE_HEADERS,
  codeToChannel,
  exchangeCells,
  exchangeRow,
  hallDateTime,
  parseExchangeCells,
  parseHallDateTime,
  type ExchangeRating,
} from '../../src/domain/exchange';
import { RATING_CHANNEL_NAMES, RATING_LEVELS } from '../../src/domain/rating';

const rating: ExchangeRating = {
  id: '0192f3a0-0000-7000-8000-000000000001',
  // 2026-11-01 00:30:05 in the hall (UTC+8).
  at: '2026-10-31T16:30:05.000Z',
  departmentCode: 'SW',
  departmentName: '税务局',
  windowCode: 'A01',
  ticket: 'B2026110100012',
  channel: 'hall_tablet',
  level: 'dissatisfied',
  reasons: ['等候时间长', '服务态度差'],
  comment: '排队太久',
};

describe('好差评 exchange layout', () => {
  it('heads its columns as the platforms name them', () => {
    expect(EXCHANGE_HEADERS).toEqual([
      '评价编号',
      '评价时间',
      '部门编码',
      '部门名称',
      '窗口编码',
      '办件编号',
      '评价渠道',
      '评价等级',
      '差评原因',
      '评价内容',
    ]);
  });

  it('writes a rating with the national level codes (1 = 非常满意)', () => {
    expect(exchangeCells(exchangeRow(rating, 'national'))).toEqual([
      rating.id,
      '2026-11-01 00:30:05',
      'SW',
      '税务局',
      'A01',
      'B2026110100012',
      4,
      4,
      '等候时间长；服务态度差',
      '排队太久',
    ]);
    expect(exchangeRow({ ...rating, level: 'very_satisfied' }, 'national').level).toBe(1);
    expect(exchangeRow({ ...rating, level: 'very_dissatisfied' }, 'national').level).toBe(5);
  });

  it('writes the ascending codes (1 = 非常不满意) when the hall maps them so', () => {
    expect(exchangeRow(rating, 'ascending').level).toBe(2);
    expect(exchangeRow({ ...rating, level: 'very_satisfied' }, 'ascending').level).toBe(5);
    expect(exchangeRow({ ...rating, level: 'very_dissatisfied' }, 'ascending').level).toBe(1);
  });

  it('leaves the case number empty when there is none and codes every channel', () => {
    const row = exchangeRow({ ...rating, ticket: null, channel: 'qr', reasons: [] }, 'national');
    expect(row.ticket).toBe('');
    expect(row.channel).toBe(3);
    expect(row.reasons).toBe('');
    expect(
      RATING_CHANNEL_NAMES.map((c) => exchangeRow({ ...rating, channel: c }, 'national').channel),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads every level and channel back from its codes, in both directions', () => {
    for (const map of ['national', 'ascending'] as const) {
      for (const level of RATING_LEVELS) {
        for (const channel of RATING_CHANNEL_NAMES) {
          const written = { ...rating, level, channel };
          const back = parseExchangeCells(exchangeCells(exchangeRow(written, map)), map);
          expect(back).toEqual({ ...written, reasons: [...written.reasons] });
        }
      }
    }
  });

  it('reads a row as text cells (a CSV) with no case number and no reasons', () => {
    const cells = [rating.id, '2026-11-30 23:59:59', 'SW', '税务局', 'A01', '', '3', '1', '', ''];
    expect(parseExchangeCells(cells, 'ascending')).toEqual({
      id: rating.id,
      at: '2026-11-30T15:59:59.000Z',
      departmentCode: 'SW',
      departmentName: '税务局',
      windowCode: 'A01',
      ticket: null,
      channel: 'qr',
      level: 'very_dissatisfied',
      reasons: [],
      comment: '',
    });
  });

  it('refuses a row whose codes or time the layout does not define', () => {
    const good = exchangeCells(exchangeRow(rating, 'national'));
    const with_ = (i: number, v: string | number) => good.map((c, j) => (j === i ? v : c));
    expect(parseExchangeCells(with_(7, 6), 'national')).toBeNull();
    expect(parseExchangeCells(with_(7, 0), 'national')).toBeNull();
    expect(parseExchangeCells(with_(6, 8), 'national')).toBeNull();
    expect(parseExchangeCells(with_(1, '2026-11-01T00:30:05'), 'national')).toBeNull();
    expect(codeToChannel(4)).toBe('hall_tablet');
    expect(codeToChannel(0)).toBeNull();
  });

  it('says times in hall-local time and reads them back', () => {
    expect(hallDateTime(Date.parse('2026-12-31T16:00:00Z'))).toBe('2027-01-01 00:00:00');
    expect(parseHallDateTime('2027-01-01 00:00:00')).toBe(Date.parse('2026-12-31T16:00:00Z'));
    expect(parseHallDateTime('2027-13-01 00:00:00')).toBeNull();
  });
});
