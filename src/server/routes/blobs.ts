import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { HttpError, notFound } from '../errors';
import { authenticateDevice, findSession, SESSION_COOKIE } from '../services/auth';
import { MAX_BLOB_BYTES, getBlob, putBlob } from '../services/blobs';

export function blobRoutes(app: FastifyInstance, { db, now }: AppContext): void {
  /** Devices by token; the console by its session. */
  async function authorize(request: FastifyRequest): Promise<void> {
    if (request.headers.authorization) {
      await authenticateDevice(db, request.headers.authorization);
      return;
    }
    if (!(await findSession(db, request.cookies[SESSION_COOKIE], now()))) {
      throw new HttpError(
        401,
        'unauthorized',
        'A device token or an administrator session is required.',
      );
    }
  }

  app.put('/api/v1/blobs/:sha256', { bodyLimit: MAX_BLOB_BYTES }, async (request, reply) => {
    await authenticateDevice(db, request.headers.authorization);
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
      await authorize(request);
      const { sha256 } = request.params as { sha256: string };
      const blob = await getBlob(db, sha256, request.method === 'GET');
      if (!blob) throw notFound('unknown_blob', 'There is no such blob.');
      reply
        .header('Content-Type', blob.contentType)
        .header('Content-Length', blob.size)
        .header('Cache-Control', 'private, max-age=31536000, immutable');
      return reply.send(request.method === 'GET' ? blob.bytes : undefined);
    },
  });
}
