import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { HttpError, notFound } from '../errors';
import { authenticateDevice, findSession, SESSION_COOKIE } from '../services/auth';
import { MAX_BLOB_BYTES, getBlob, putBlob } from '../services/blobs';

export function blobRoutes(app: FastifyInstance, { db, now }: AppContext): void {
  /**
   * Who may see photos, and of which hall: inspection tablets (which show problems' photos) by
   * their token, the console by its session. Evaluators and duty kiosks never show a photo.
   */
  async function reader(request: FastifyRequest): Promise<string> {
    if (request.headers.authorization) {
      const device = await authenticateDevice(db, request, now());
      if (device.role !== 'inspection_tablet')
        throw new HttpError(403, 'forbidden_role', 'This device does not show photos.');
      return device.hallId;
    }
    const session = await findSession(db, request.cookies[SESSION_COOKIE], now());
    if (!session)
      throw new HttpError(
        401,
        'unauthorized',
        'A device token or an administrator session is required.',
      );
    return session.hallId;
  }

  app.put('/api/v1/blobs/:sha256', { bodyLimit: MAX_BLOB_BYTES }, async (request, reply) => {
    await authenticateDevice(db, request, now());
    const { sha256 } = request.params as { sha256: string };
    if (!Buffer.isBuffer(request.body)) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        'Send the bytes as application/octet-stream.',
      );
    }
    const type = request.headers['content-type'] ?? 'application/octet-stream';
    const { created } = await putBlob(db, sha256, request.body, type, now());
    return reply
      .code(created ? 201 : 200)
      .send({ sha256: sha256.toLowerCase(), size: request.body.length });
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v1/blobs/:sha256',
    handler: async (request, reply) => {
      const hallId = await reader(request);
      const { sha256 } = request.params as { sha256: string };
      const blob = await getBlob(db, sha256, request.method === 'GET', hallId);
      if (!blob) throw notFound('unknown_blob', 'There is no such blob.');
      reply
        .header('Content-Type', blob.contentType)
        .header('Content-Length', blob.size)
        .header('Cache-Control', 'private, max-age=31536000, immutable');
      return reply.send(request.method === 'GET' ? blob.bytes : undefined);
    },
  });
}
