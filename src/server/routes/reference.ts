/**
 * GET /api/v1/admin/reference: what the console's reference data pages show. Registered inside
 * the scope that requires an administrator's session; writes go through POST /admin/ref.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { adminReference } from '../services/reference-pages';

export function referenceAdminRoutes(scope: FastifyInstance, { db }: AppContext): void {
  const hallOf = (request: FastifyRequest) => request.admin!.hallId;

  scope.get('/api/v1/admin/reference', async (request) => adminReference(db, hallOf(request)));
}
