/** 局长坐班 routes: the roster's PINs for kiosks, the public schedule, and the console's pages. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { authenticateDevice } from '../services/auth';
import { monthAttendance, monthAttendanceCsv, publicSchedule } from '../services/duty-reports';
import { listRoster, rosterPins, saveLeader, setLeaderPin } from '../services/roster';
import {
  adminShifts,
  cancelShift,
  importShifts,
  publishShifts,
  saveShift,
  saveWeeklyRule,
} from '../services/shifts';

/** Routes for devices and for everyone. */
export function dutyRoutes(app: FastifyInstance, { db, now }: AppContext): void {
  app.get('/api/v1/roster/pins', async (request, reply) => {
    const device = await authenticateDevice(db, request, now());
    reply.header('Cache-Control', 'no-store');
    return rosterPins(db, device);
  });

  app.get(
    '/api/v1/public/schedule',
    { config: { rateLimit: { max: 120, timeWindow: '1 minute' } } },
    async (request) => publicSchedule(db, request.query as { date?: unknown }, now()),
  );
}

/** Console routes; registered inside the scope that requires an administrator's session. */
export function dutyAdminRoutes(scope: FastifyInstance, { db, now }: AppContext): void {
  const hallOf = (request: FastifyRequest) => request.admin!.hallId;
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  scope.get('/api/v1/admin/leaders', async (request) => listRoster(db, hallOf(request)));

  scope.post('/api/v1/admin/leaders', async (request) =>
    saveLeader(db, hallOf(request), request.body, now()),
  );

  scope.post('/api/v1/admin/leaders/:id/pin', async (request, reply) => {
    await setLeaderPin(db, hallOf(request), idOf(request), request.body, now());
    return reply.code(204).send();
  });

  scope.get('/api/v1/admin/shifts', async (request) =>
    adminShifts(db, hallOf(request), request.query as Record<string, unknown>),
  );

  scope.post('/api/v1/admin/shifts', async (request) =>
    saveShift(db, hallOf(request), request.body, now()),
  );

  scope.post('/api/v1/admin/shifts/:id/cancel', async (request) =>
    cancelShift(db, hallOf(request), idOf(request), now()),
  );

  scope.post('/api/v1/admin/shifts/weekly', async (request) =>
    saveWeeklyRule(db, hallOf(request), request.body, now()),
  );

  scope.post('/api/v1/admin/shifts/import', async (request) =>
    importShifts(db, hallOf(request), request.body, now()),
  );

  scope.post('/api/v1/admin/shifts/publish', async (request) =>
    publishShifts(db, hallOf(request), request.body, now()),
  );

  scope.get('/api/v1/admin/attendance', async (request) =>
    monthAttendance(db, hallOf(request), request.query as Record<string, unknown>, now()),
  );

  scope.get('/api/v1/admin/attendance.csv', async (request, reply) => {
    const { filename, csv } = await monthAttendanceCsv(
      db,
      hallOf(request),
      request.query as Record<string, unknown>,
      now(),
    );
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${filename}"`)
      .header('Cache-Control', 'no-store')
      .send(csv);
  });
}
