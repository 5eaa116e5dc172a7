/** Page model of the inspection tablet (/inspect): what a leader on a walk sees and does. */
import { expect, type Page } from '@playwright/test';

/**
 * A photo as a camera would give it: a large PNG drawn in the page itself (so it works offline),
 * with enough detail that downscaling and re-encoding have work to do.
 */
export async function cameraPhoto(page: Page, width = 2400, height = 1800): Promise<Buffer> {
  const dataUrl = await page.evaluate(
    ([w, h]) => {
      const canvas = document.createElement('canvas');
      canvas.width = w!;
      canvas.height = h!;
      const ctx = canvas.getContext('2d')!;
      const gradient = ctx.createLinearGradient(0, 0, w!, h!);
      gradient.addColorStop(0, '#1d4ed8');
      gradient.addColorStop(1, '#f59e0b');
      ctx.fillStyle = gradient;
      ctx.fillRect(0, 0, w!, h!);
      for (let i = 0; i < 400; i++) {
        ctx.fillStyle = `hsl(${(i * 37) % 360} 70% 50%)`;
        ctx.fillRect((i * 97) % w!, (i * 53) % h!, 40 + (i % 60), 30 + (i % 45));
      }
      ctx.fillStyle = '#fff';
      ctx.font = '120px sans-serif';
      ctx.fillText('办事指南 第3页', 200, 400);
      return canvas.toDataURL('image/png');
    },
    [width, height],
  );
  return Buffer.from(dataUrl.split(',')[1]!, 'base64');
}

export class InspectPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/inspect');
  }

  async signIn(title: string, pin: string): Promise<void> {
    await this.page.getByTestId('leader-button').filter({ hasText: title }).first().click();
    const pad = this.page.getByRole('group', { name: 'PIN码键盘' });
    for (const digit of pin) await pad.getByRole('button', { name: digit, exact: true }).click();
    await this.page.getByTestId('pin-submit').click();
  }

  async startWalk(mode: string, department: string, serviceItem: string): Promise<void> {
    await this.page.getByLabel(mode, { exact: true }).check();
    await this.page.getByLabel('部门', { exact: true }).selectOption({ label: department });
    await this.page.getByLabel('办事事项（选填）').fill(serviceItem);
    await this.page.getByRole('button', { name: '开始走流程' }).click();
    await expect(this.page.getByTestId('walk')).toBeVisible();
  }

  /** Mark a checklist item by its text: 没问题, 有问题 or 不适用. */
  async mark(itemText: string, result: '没问题' | '有问题' | '不适用'): Promise<void> {
    const item = this.checkItem(itemText);
    await item.getByRole('button', { name: result, exact: true }).click();
    await expect(item.getByRole('button', { name: result, exact: true })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  }

  /** A checklist item of the walk, by its exact text. */
  checkItem(itemText: string) {
    return this.page
      .getByTestId('check-item')
      .filter({ has: this.page.getByText(itemText, { exact: true }) });
  }

  /** Fill and save the open finding form (opened by 有问题 or 记录问题). */
  async saveFinding(
    description: string,
    severity: '轻微' | '一般' | '严重',
    photos: Buffer[] = [],
  ): Promise<void> {
    const form = this.page.getByTestId('finding-form');
    const before = await this.page.getByTestId('finding-row').count();
    await form.getByLabel('问题描述').fill(description);
    await form.getByLabel(severity, { exact: true }).check();
    if (photos.length > 0) {
      await form.getByLabel('拍照或选择照片').setInputFiles(
        photos.map((buffer, i) => ({
          name: `photo-${i + 1}.png`,
          mimeType: 'image/png',
          buffer,
        })),
      );
      await expect(form.getByTestId('picked-photo')).toHaveCount(photos.length);
    }
    await form.getByRole('button', { name: '保存问题' }).click();
    await expect(this.page.getByTestId('finding-row')).toHaveCount(before + 1);
  }

  async endWalk(summary: string): Promise<void> {
    await this.page.getByRole('button', { name: '结束走流程' }).click();
    await this.page.getByLabel('走流程总结（选填）').fill(summary);
    await this.page.getByRole('button', { name: '确认结束' }).click();
    await expect(this.page.getByTestId('walk-ended')).toBeVisible();
  }
}
