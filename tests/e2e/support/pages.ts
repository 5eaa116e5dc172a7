/** Page models: what a citizen or a member of staff sees and does, by role and label. */
import { expect, type Locator, type Page } from '@playwright/test';

const LEVELS = {
  very_satisfied: { zh: '非常满意', en: 'Very satisfied' },
  satisfied: { zh: '满意', en: 'Satisfied' },
  basically_satisfied: { zh: '基本满意', en: 'Basically satisfied' },
  dissatisfied: { zh: '不满意', en: 'Dissatisfied' },
  very_dissatisfied: { zh: '非常不满意', en: 'Very dissatisfied' },
} as const;
export type Level = keyof typeof LEVELS;

/** The button of a rating level, by its visible label, on a page or within a part of it. */
export function levelButton(
  scope: Page | Locator,
  level: Level,
  lang: 'zh' | 'en' = 'zh',
): Locator {
  const label = LEVELS[level][lang];
  return scope.getByRole('button', { name: new RegExp(`^${label}(\\s|$)`) });
}

/** The number of records the screen says are waiting to sync. */
export async function pendingCount(page: Page): Promise<number> {
  const text = await page.getByTestId('pending-count').first().textContent();
  return Number(text?.trim() ?? 'NaN');
}

export class RatePage {
  constructor(readonly page: Page) {}

  async open(path: string): Promise<void> {
    await this.page.goto(path);
  }

  async rate(level: Level, opts: { reasons?: string[]; comment?: string; ticket?: string } = {}) {
    await levelButton(this.page, level).click();
    for (const reason of opts.reasons ?? []) await this.page.getByLabel(reason).check();
    if (opts.comment) await this.page.getByLabel('意见或建议').fill(opts.comment);
    if (opts.ticket) await this.page.getByLabel('排队号或办件号（选填）').fill(opts.ticket);
    await this.page.getByRole('button', { name: '提交评价' }).click();
  }

  get thanks(): Locator {
    return this.page.getByTestId('thank-you');
  }
}

export class EvaluatorPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/kiosk/evaluator');
    await expect(this.page.getByTestId('window-name')).toBeVisible();
  }

  /** One rating: a good level is one tap; a poor one needs a reason. Waits for the thank-you,
   * then taps 返回评价首页, as the next citizen would, to get back to the start. */
  async rate(level: Level, reason?: string): Promise<void> {
    await levelButton(this.page, level).click();
    if (reason) {
      await this.page.getByLabel(reason).check();
      await this.page.getByRole('button', { name: '提交评价' }).click();
    }
    await expect(this.page.getByTestId('thank-you')).toBeVisible();
    await this.page.getByRole('button', { name: '返回评价首页' }).click();
    await expect(levelButton(this.page, 'satisfied')).toBeVisible();
  }
}

export async function enrollThisBrowser(page: Page, code: string): Promise<void> {
  await page.goto(`/setup?code=${encodeURIComponent(code)}`);
  await page.getByRole('button', { name: '登记', exact: true }).click();
  await expect(page.getByTestId('setup-done')).toBeVisible();
}
