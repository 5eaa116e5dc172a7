/**
 * Console routes of the figures: the dashboard and the monthly department ranking; registered
 * inside the scope that requires an administrator's session.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { dashboard } from '../services/dashboard';
import { ranking } from '../services/ranking';

export function figuresAdminRoutes(scope: FastifyInstance, { db, now }: AppContext): void {
  const hallOf = (request: FastifyRequest) => request.admin!.hallId;
  const query = (request: FastifyRequest) => request.query as Record<string, unknown>;

  scope.get('/api/v1/admin/dashboard', async (request) =>
    dashboard(db, hallOf(request), query(request), now()),
  );

  scope.get('/api/v1/admin/ranking', async (request) =>
    ranking(db, hallOf(request), query(request), now()),
  );
}
