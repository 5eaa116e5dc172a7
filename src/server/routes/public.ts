import type { FastifyInstance } from 'fastify';
import type { BoardResponse } from '../../sync/report-protocol';
import type { AppContext } from '../context';
import { HttpError } from '../errors';
import { board } from '../services/board';
import { callbackKeyOf, submitCallbackNumber } from '../services/callback-numbers';
import { publicProgress, publicWindow, submitPublicRatings } from '../services/public';

export function publicRoutes(app: FastifyInstance, { db, config, now }: AppContext): void {
  app.get(
    '/api/v1/public/windows/:code',
    { config: { rateLimit: { max: 120, timeWindow: '1 minute' } } },
    async (request) => {
      const { code } = request.params as { code: string };
      const { s } = request.query as { s?: unknown };
      return publicWindow(db, code, s, now());
    },
  );

  app.post(
    '/api/v1/public/ratings',
    { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request, reply) => {
      try {
        return await submitPublicRatings(db, request.body, now, { address: request.ip });
      } catch (error) {
        // Over the address's or the window's limit: the phone retries after Retry-After.
        if (error instanceof HttpError && error.status === 429) {
          const seconds = Number(error.extra['retryAfterSeconds']) || 60;
          return reply.code(429).header('Retry-After', String(seconds)).send(error.body());
        }
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/public/callback-number',
    { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request) =>
      submitCallbackNumber(db, callbackKeyOf(config), request.body, new Date(now())),
  );

  // The hall screen asks once a minute; a few screens behind one address stay well inside this.
  app.get(
    '/api/v1/public/board',
    { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (): Promise<BoardResponse> => board(db, now()),
  );

  app.post(
    '/api/v1/public/progress',
    { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request) => publicProgress(db, request.body, now()),
  );
}
