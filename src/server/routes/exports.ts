/** Console exports: GET /api/v1/admin/exports/<kind>.<format>, inside the administrators' scope. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { contentDisposition, exportFile, parseExportRequest } from '../services/exports';

export function exportAdminRoutes(scope: FastifyInstance, { db, now }: AppContext): void {
  scope.get('/api/v1/admin/exports/:file', async (request: FastifyRequest, reply) => {
    const { file } = request.params as { file: string };
    const exportRequest = parseExportRequest(file, request.query as Record<string, unknown>);
    const out = await exportFile(db, request.admin!.hallId, exportRequest, now());
    return reply
      .header('Content-Type', out.contentType)
      .header('Content-Disposition', contentDisposition(out))
      .header('Cache-Control', 'no-store')
      .send(out.body);
  });
}
