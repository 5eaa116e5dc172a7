import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import type { AppContext } from '../context';
import { HttpError, badRequest } from '../errors';
import {
  adminDevices,
  adminRatings,
  adminRejected,
  adminRevoke,
  adminWindows,
  checkLogin,
} from '../services/admin';
import {
  SESSION_COOKIE,
  SESSION_HOURS,
  createSession,
  endSession,
  findSession,
  type AdminSession,
} from '../services/auth';
import { writeRefFromConsole } from '../services/console-writer';
import { clearFailures, lockedFor, loginKeys, recordFailure } from '../services/login-throttle';
import { EnrollmentRequestSchema, createEnrollment } from '../services/enroll';
import { dutyAdminRoutes } from './duty';
import { fleetAdminRoutes } from './fleet';
import { exportAdminRoutes } from './exports';
import { figuresAdminRoutes } from './figures';
import { pipelineAdminRoutes } from './pipeline';
import { ratingFlagAdminRoutes } from './rating-flags';
import { referenceAdminRoutes } from './reference';

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminSession;
  }
}

export function adminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, now } = ctx;

  const cookieOptions = (request: FastifyRequest) => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: request.protocol === 'https',
  });

  app.post(
    '/api/v1/admin/login',
    { config: { rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const keys = loginKeys((request.body as { username?: unknown } | null)?.username, request.ip);
      const locked = await lockedFor(db, keys, now());
      if (locked > 0) {
        const seconds = Math.ceil(locked / 1000);
        return reply
          .code(429)
          .header('Retry-After', String(seconds))
          .send({
            error: 'login_locked',
            message: `Too many failed logins; try again in ${Math.ceil(seconds / 60)} min.`,
            retryAfterSeconds: seconds,
          });
      }
      let admin: Awaited<ReturnType<typeof checkLogin>>;
      try {
        admin = await checkLogin(db, request.body);
      } catch (error) {
        if (error instanceof HttpError && error.code === 'bad_credentials')
          await recordFailure(db, keys, now());
        throw error;
      }
      await clearFailures(db, keys);
      const session = await createSession(db, admin.adminId, now());
      reply.setCookie(SESSION_COOKIE, session.token, {
        ...cookieOptions(request),
        maxAge: SESSION_HOURS * 3600,
      });
      return { username: admin.username };
    },
  );

  app.post('/api/v1/admin/logout', async (request, reply) => {
    await endSession(db, request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
    return { ok: true };
  });

  // Everything below needs an administrator's session.
  app.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
      const session = await findSession(db, request.cookies[SESSION_COOKIE], now());
      if (!session) throw new HttpError(401, 'unauthorized', 'Please log in as an administrator.');
      request.admin = session;
    });
    const hallOf = (request: FastifyRequest) => request.admin!.hallId;

    scope.get('/api/v1/admin/me', async (request) => ({ username: request.admin!.username }));

    scope.get('/api/v1/admin/windows', async (request) =>
      adminWindows(
        db,
        hallOf(request),
        ctx.config.publicUrl ?? `${request.protocol}://${request.host}`,
      ),
    );

    scope.get('/api/v1/admin/devices', async (request) => adminDevices(db, hallOf(request)));

    scope.post('/api/v1/admin/devices/:id/revoke', async (request) => {
      const { id } = request.params as { id: string };
      await adminRevoke(db, hallOf(request), id, now());
      return { ok: true };
    });

    scope.post('/api/v1/admin/enrollments', async (request) => {
      const parsed = v.safeParse(EnrollmentRequestSchema, request.body);
      if (!parsed.success) {
        throw badRequest('invalid_body', 'Expected { role, windowId?, name? }.', {
          issues: parsed.issues.map((i) => ({
            path: v.getDotPath(i) ?? '',
            code: `invalid_${i.type}`,
            message: `${v.getDotPath(i) ?? 'body'}: ${i.message}`,
          })),
        });
      }
      const e = await createEnrollment(db, hallOf(request), parsed.output, now());
      return { code: e.code, expiresAt: e.expiresAt, setupPath: e.setupPath };
    });

    scope.get('/api/v1/admin/ratings', async (request) =>
      adminRatings(db, hallOf(request), request.query as Record<string, unknown>),
    );

    scope.get('/api/v1/admin/rejected', async (request) =>
      adminRejected(db, hallOf(request), request.query as Record<string, unknown>),
    );

    scope.post('/api/v1/admin/ref', async (request) => ({
      event: await writeRefFromConsole(db, hallOf(request), request.body, now()),
    }));

    dutyAdminRoutes(scope, ctx);
    pipelineAdminRoutes(scope, ctx);
    fleetAdminRoutes(scope, ctx);
    exportAdminRoutes(scope, ctx);
    figuresAdminRoutes(scope, ctx);
    referenceAdminRoutes(scope, ctx);
    ratingFlagAdminRoutes(scope, ctx);
  });
}
