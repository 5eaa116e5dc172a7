/**
 * The leaders' roster (局长名册): leaders are ref.leaderSaved events written through the console;
 * PINs are not events. The server keeps a slow scrypt hash of each PIN and every PBKDF2 hash it
 * ever had (by version), which duty kiosks download to check PINs offline.
 */
import * as v from 'valibot';
import type { Db } from '../db/db';
import type { DeviceRole } from '../../domain/device';
import { validatePayload, type LeaderSaved } from '../../domain/events';
import { newId } from '../../domain/ids';
import { PBKDF2_ITERATIONS, PIN_PATTERN, newSalt, pinHash } from '../../domain/pin';
import type { Leader } from '../../domain/reference';
import { hashPassword } from '../crypto';
import { HttpError, badRequest, notFound } from '../errors';
import { currentPins, leadersWithPin, savePin, type PinVersion } from '../repos/duty';
import { getLeaders, listDepartments, listLeaders } from '../repos/reference';
import { isoAt } from '../repos/util';
import { writeConsoleEvents } from './console-writer';

export interface RosterLeader {
  id: string;
  title: string;
  titleEn?: string;
  departmentId: string;
  departmentName: string;
  badgeCode?: string;
  active: boolean;
  hasPin: boolean;
}

function rosterLeader(l: Leader, departmentName: string, hasPin: boolean): RosterLeader {
  return {
    id: l.id,
    title: l.title,
    ...(l.titleEn ? { titleEn: l.titleEn } : {}),
    departmentId: l.departmentId,
    departmentName,
    ...(l.badgeCode ? { badgeCode: l.badgeCode } : {}),
    active: l.active,
    hasPin,
  };
}

export async function listRoster(db: Db, hallId: string): Promise<{ leaders: RosterLeader[] }> {
  const [leaders, departments, pins] = await Promise.all([
    listLeaders(db, hallId),
    listDepartments(db, hallId),
    leadersWithPin(db, hallId),
  ]);
  const names = new Map(departments.map((d) => [d.id, d.name]));
  return {
    leaders: leaders.map((l) => rosterLeader(l, names.get(l.departmentId) ?? '', pins.has(l.id))),
  };
}

/** A hall's leader, or 404 unknown_leader. */
export async function leaderOfHall(db: Db, hallId: string, leaderId: string): Promise<Leader> {
  const leader = (await getLeaders(db, [leaderId])).get(leaderId);
  if (!leader || leader.hallId !== hallId)
    throw notFound('unknown_leader', 'There is no such leader.');
  return leader;
}

const LeaderBodySchema = v.object({
  leaderId: v.optional(v.string()),
  title: v.unknown(),
  titleEn: v.optional(v.unknown()),
  departmentId: v.unknown(),
  badgeCode: v.optional(v.unknown()),
  active: v.unknown(),
});

/** An empty form field means "none". */
const optionalText = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
    ? undefined
    : value;

/** POST /admin/leaders: add a leader (no leaderId) or save an existing one. */
export async function saveLeader(
  db: Db,
  hallId: string,
  body: unknown,
  now: number,
): Promise<{ leader: RosterLeader }> {
  const parsed = v.safeParse(LeaderBodySchema, body);
  if (!parsed.success) {
    throw badRequest(
      'invalid_body',
      'Expected { leaderId?, title, titleEn?, departmentId, badgeCode?, active }.',
    );
  }
  const b = parsed.output;
  if (b.leaderId !== undefined) await leaderOfHall(db, hallId, b.leaderId);
  const titleEn = optionalText(b.titleEn);
  const badgeCode = optionalText(b.badgeCode);
  const payload = {
    leaderId: b.leaderId ?? newId(),
    departmentId: b.departmentId,
    title: b.title,
    ...(titleEn !== undefined ? { titleEn } : {}),
    ...(badgeCode !== undefined ? { badgeCode } : {}),
    active: b.active,
  };
  const checked = validatePayload('ref.leaderSaved', payload);
  if (!checked.ok) {
    throw badRequest(checked.issues[0]?.code ?? 'invalid', 'The leader is not valid.', {
      issues: checked.issues,
    });
  }
  const saved = checked.value as LeaderSaved;
  await db.tx((tx) =>
    writeConsoleEvents(tx, hallId, [{ type: 'ref.leaderSaved', payload: saved }], now),
  );
  const roster = await listRoster(db, hallId);
  const leader = roster.leaders.find((l) => l.id === saved.leaderId);
  if (!leader) throw new HttpError(500, 'internal', 'the saved leader is missing');
  return { leader };
}

/** POST /admin/leaders/:id/pin: set or reset a leader's PIN (a new version). */
export async function setLeaderPin(
  db: Db,
  hallId: string,
  leaderId: string,
  body: unknown,
  now: number,
): Promise<number> {
  const pin = (body as { pin?: unknown } | null)?.pin;
  if (typeof pin !== 'string' || !PIN_PATTERN.test(pin)) {
    throw badRequest('bad_pin', 'A PIN is 4 to 8 digits.');
  }
  await leaderOfHall(db, hallId, leaderId);
  const salt = newSalt();
  const [scryptHash, hash] = await Promise.all([
    hashPassword(pin),
    pinHash(pin, salt, PBKDF2_ITERATIONS),
  ]);
  return db.tx((tx) =>
    savePin(
      tx,
      { hallId, leaderId, scryptHash, salt, iterations: PBKDF2_ITERATIONS, hash },
      isoAt(now),
    ),
  );
}

/** Devices that check leaders' PINs offline. */
const PIN_READERS: readonly string[] = ['duty_kiosk', 'inspection_tablet'] satisfies DeviceRole[];

/** GET /roster/pins: the current PIN hash of every active leader that has one. */
export async function rosterPins(
  db: Db,
  device: { hallId: string; role: string },
): Promise<{ pins: PinVersion[] }> {
  if (!PIN_READERS.includes(device.role)) {
    throw new HttpError(403, 'not_allowed', 'Only duty kiosks and inspection tablets read PINs.');
  }
  return { pins: await currentPins(db, device.hallId) };
}
