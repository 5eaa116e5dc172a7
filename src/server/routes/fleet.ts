import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { changeDevice, fleet } from '../services/fleet';

/** Fleet health and device management; registered inside the console's session scope. */
export function fleetAdminRoutes(scope: FastifyInstance, { db, now }: AppContext): void {
  const hallOf = (request: FastifyRequest) => request.admin!.hallId;

  scope.get('/api/v1/admin/fleet', async (request) => fleet(db, hallOf(request), now()));

  scope.post('/api/v1/admin/devices/:id', async (request) => {
    const { id } = request.params as { id: string };
    return changeDevice(db, hallOf(request), id, request.body, now());
  });
}
