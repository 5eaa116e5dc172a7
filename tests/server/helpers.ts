/** Helpers shared by the server suites: enrolled devices that build real hash-chained logs. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { appendToLog, EMPTY_HEAD, eventHash, type LogHead } from '../../src/domain/device';
import type { EventEnvelope, RatingSubmitted } from '../../src/domain/events';
import { HybridClock, hlcNode } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import type { EnrollResponse, PushResponse } from '../../src/sync/protocol';
import type { TestServer } from '../support/server';

export type RatingFields = Partial<RatingSubmitted>;

/** A device (tablet or phone) keeping its own log, as the client does. */
export class TestDevice {
  head: LogHead = EMPTY_HEAD;
  readonly clock: HybridClock;

  constructor(
    readonly deviceId: string,
    readonly hallId: string,
    readonly token: string | null,
    readonly windowId: string | null,
    now: () => number = Date.now,
  ) {
    this.clock = new HybridClock(hlcNode(deviceId), now);
  }

  /** Append any event (valid or not) to this device's log. */
  append<T extends EventEnvelope['type']>(
    type: T,
    payload: EventEnvelope<T>['payload'],
    overrides: Partial<EventEnvelope> = {},
  ): EventEnvelope {
    const { event } = appendToLog(this.head, {
      type,
      payload,
      hallId: this.hallId,
      deviceId: this.deviceId,
      at: new Date().toISOString(),
      hlc: this.clock.tick(),
    });
    const final = { ...event, ...overrides } as EventEnvelope;
    this.head = { seq: final.deviceSeq, hash: eventHash(final) };
    return final;
  }

  rating(
    server: TestServer,
    fields: RatingFields = {},
    overrides: Partial<EventEnvelope> = {},
  ): EventEnvelope {
    return this.append('rating.submitted', this.ratingPayload(server, fields), overrides);
  }

  /** A valid rating payload for this device (its bound window, or the first window). */
  ratingPayload(server: TestServer, fields: RatingFields = {}): RatingSubmitted {
    const windowId = fields.windowId ?? this.windowId ?? server.seed.windows[0]!.id;
    const window = server.seed.windows.find((w) => w.id === windowId);
    return {
      windowId,
      departmentId: window?.departmentId ?? newId(),
      level: 'very_satisfied',
      reasons: [],
      comment: '',
      ticket: null,
      channel: this.token ? 'hall_tablet' : 'qr',
      phoneId: this.token ? null : this.deviceId,
      dutySessionId: null,
      ...fields,
    };
  }

  authorization(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }
}

export async function enrollDevice(
  server: TestServer,
  windowCode?: string,
  now?: () => number,
): Promise<TestDevice> {
  const code = await server.enroll('evaluator', windowCode);
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/devices/enroll',
    payload: { code },
  });
  if (res.statusCode !== 200) throw new Error(`enroll failed: ${res.statusCode} ${res.body}`);
  const body = res.json<EnrollResponse>();
  return new TestDevice(body.deviceId, body.hallId, body.token, body.windowId, now);
}

export function push(
  app: FastifyInstance,
  device: TestDevice,
  events: unknown[],
  extra: Record<string, unknown> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/api/v1/sync/push',
    headers: device.authorization(),
    payload: { deviceId: device.deviceId, events, ...extra },
  });
}

export async function pushOk(
  app: FastifyInstance,
  device: TestDevice,
  events: unknown[],
): Promise<PushResponse> {
  const res = await push(app, device, events);
  if (res.statusCode !== 200) throw new Error(`push failed: ${res.statusCode} ${res.body}`);
  return res.json<PushResponse>();
}

export async function count(
  server: TestServer,
  table: string,
  where = 'TRUE',
  params: unknown[] = [],
): Promise<number> {
  const rows = await server.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
    params,
  );
  return rows[0]!.n;
}
