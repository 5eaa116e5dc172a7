import type { FastifyInstance } from 'fastify';
import type { TimeResponse } from '../../sync/protocol';
import type { AppContext } from '../context';
import { touchDevice } from '../repos/devices';
import { isoAt } from '../repos/util';
import { authenticateDevice } from '../services/auth';
import { redeemEnrollment } from '../services/enroll';
import { pull, push } from '../services/sync';

export function syncRoutes(app: FastifyInstance, { db, now }: AppContext): void {
  app.get('/api/v1/time', async (): Promise<TimeResponse> => ({ serverTime: isoAt(now()) }));

  app.post('/api/v1/sync/push', async (request) => {
    const device = await authenticateDevice(db, request, now());
    return push(db, device, request.body, now);
  });

  app.get('/api/v1/sync/pull', async (request) => {
    const device = await authenticateDevice(db, request, now());
    const page = await pull(db, device, request.query as Record<string, unknown>, now);
    await touchDevice(db, device.id, page.serverTime);
    return page;
  });

  app.post(
    '/api/v1/devices/enroll',
    { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request) => redeemEnrollment(db, request.body, now()),
  );
}
