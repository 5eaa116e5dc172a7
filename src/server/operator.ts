/** What the command line and the start-up banner tell an operator; shared by main.ts and cli.ts. */
import type { Config } from './config';
import { printedBase } from './config';
import type { Db } from './db/db';
import { HttpError } from './errors';
import { firstHall, type HallRow } from './repos/halls';
import { getWindowByCode, listWindows } from './repos/reference';
import { adminWindows } from './services/admin';
import { createEnrollment, type Enrollment } from './services/enroll';
import type { DeviceRole } from '../domain/device';

export class OperatorError extends Error {
  override name = 'OperatorError';
}

export async function requireHall(db: Db): Promise<HallRow> {
  const hall = await firstHall(db);
  if (!hall)
    throw new OperatorError('There is no hall yet: start the server once with `npm start`.');
  return hall;
}

export interface Card {
  code: string;
  name: string;
  department: string;
  active: boolean;
  url: string;
}

export async function ratingCards(db: Db, config: Config): Promise<Card[]> {
  const hall = await requireHall(db);
  const { windows } = await adminWindows(db, hall.id, printedBase(config));
  return windows.map((w) => ({
    code: w.code,
    name: w.name,
    department: w.department.name,
    active: w.active,
    url: w.ratingUrl,
  }));
}

export async function ratingCard(db: Db, config: Config, code: string): Promise<Card> {
  const window = await getWindowByCode(db, code);
  const card = window
    ? (await ratingCards(db, config)).find((c) => c.code === window.code)
    : undefined;
  if (!card) {
    const known = (await listWindows(db, (await requireHall(db)).id)).map((w) => w.code);
    throw new OperatorError(`There is no window "${code}". Windows: ${known.join(' ')}`);
  }
  return card;
}

export async function enroll(
  db: Db,
  config: Config,
  opts: { role: DeviceRole; windowCode?: string; name?: string; hours?: number; now: number },
): Promise<Enrollment & { setupUrl: string }> {
  const hall = await requireHall(db);
  let windowId: string | null = null;
  if (opts.windowCode) {
    const window = await getWindowByCode(db, opts.windowCode);
    if (!window) {
      const known = (await listWindows(db, hall.id)).map((w) => w.code);
      throw new OperatorError(
        `There is no window "${opts.windowCode}". Windows: ${known.join(' ')}`,
      );
    }
    windowId = window.id;
  }
  try {
    const e = await createEnrollment(
      db,
      hall.id,
      {
        role: opts.role,
        windowId,
        name: opts.name ?? null,
        ...(opts.hours ? { hours: opts.hours } : {}),
      },
      opts.now,
    );
    return { ...e, setupUrl: `${printedBase(config)}${e.setupPath}` };
  } catch (error) {
    if (error instanceof HttpError) throw new OperatorError(error.message);
    throw error;
  }
}

/** Is there an evaluator enrolled (and not revoked) for the hall? */
export async function hasEvaluator(db: Db, hallId: string): Promise<boolean> {
  const rows = await db.query(
    "SELECT 1 FROM devices WHERE hall_id = $1 AND role = 'evaluator' AND revoked_at IS NULL LIMIT 1",
    [hallId],
  );
  return rows.length > 0;
}
