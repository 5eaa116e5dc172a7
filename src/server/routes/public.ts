import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { publicProgress, publicWindow, submitPublicRatings } from '../services/public';

export function publicRoutes(app: FastifyInstance, { db, now }: AppContext): void {
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
    async (request) => submitPublicRatings(db, request.body, now),
  );

  app.post(
    '/api/v1/public/progress',
    { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request) => publicProgress(db, request.body, now()),
  );
}
