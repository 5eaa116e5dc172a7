/**
 * Console routes of the rectification pipeline, walks, the walk checklist and the holiday
 * calendar; registered inside the scope that requires an administrator's session.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProblemDetailResponse } from '../../sync/pipeline-protocol';
import type { AppContext } from '../context';
import { HttpError } from '../errors';
import { MAX_BLOB_BYTES, putBlob } from '../services/blobs';
import { callbackKeyOf, callbackNumberOf, revealNumber } from '../services/callback-numbers';
import {
  addProblemStep,
  adminProblem,
  adminProblems,
  missingPhotos,
} from '../services/pipeline-console';
import { adminCalendar, adminChecklist, orderChecklist } from '../services/reference-console';
import { adminWalkReport, adminWalks, publishWalk } from '../services/walks-console';

export function pipelineAdminRoutes(scope: FastifyInstance, { db, config, now }: AppContext): void {
  const hallOf = (request: FastifyRequest) => request.admin!.hallId;
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  const query = (request: FastifyRequest) => request.query as Record<string, unknown>;
  const callbackKey = () => callbackKeyOf(config);
  /** A 差评's detail shows whether the citizen left a call-back number, masked. */
  const withNumber = async (hallId: string, detail: ProblemDetailResponse) => {
    const callbackNumber = await callbackNumberOf(db, callbackKey, hallId, detail.problem);
    return callbackNumber ? { ...detail, callbackNumber } : detail;
  };

  scope.get('/api/v1/admin/problems', async (request) =>
    adminProblems(db, hallOf(request), query(request), now()),
  );

  scope.get('/api/v1/admin/problems/:id', async (request) =>
    withNumber(hallOf(request), await adminProblem(db, hallOf(request), idOf(request), now())),
  );

  scope.post('/api/v1/admin/problems/:id/steps', async (request) =>
    withNumber(
      hallOf(request),
      await addProblemStep(db, request.admin!, idOf(request), request.body, now()),
    ),
  );

  // The clear-text number, for the administrator about to call back; every reveal is logged.
  scope.post('/api/v1/admin/problems/:id/callback-number/reveal', async (request) =>
    revealNumber(db, callbackKey(), request.admin!, idOf(request), new Date(now())),
  );

  scope.get('/api/v1/admin/walks', async (request) =>
    adminWalks(db, hallOf(request), query(request)),
  );

  scope.get('/api/v1/admin/walks/:id', async (request) =>
    adminWalkReport(db, hallOf(request), idOf(request), now()),
  );

  // 公开暗访结果: the hall's devices learn who made the unannounced inspection.
  scope.post('/api/v1/admin/walks/:id/publish', async (request) =>
    publishWalk(db, request.admin!, idOf(request), now()),
  );

  scope.get('/api/v1/admin/checklist', async (request) => adminChecklist(db, hallOf(request)));

  scope.post('/api/v1/admin/checklist/order', async (request) =>
    orderChecklist(db, request.admin!, request.body, now()),
  );

  scope.get('/api/v1/admin/calendar', async (request) => adminCalendar(db, hallOf(request)));

  scope.get('/api/v1/admin/photos/missing', async (request) => missingPhotos(db, hallOf(request)));

  // Evidence photos the console attaches to a step, uploaded before the step names them.
  scope.put(
    '/api/v1/admin/blobs/:sha256',
    { bodyLimit: MAX_BLOB_BYTES },
    async (request, reply) => {
      const { sha256 } = request.params as { sha256: string };
      if (!Buffer.isBuffer(request.body)) {
        throw new HttpError(
          415,
          'unsupported_media_type',
          'Send the bytes as application/octet-stream or as an image.',
        );
      }
      const type = request.headers['content-type'] ?? 'application/octet-stream';
      const { created } = await putBlob(db, sha256, request.body, type, now());
      return reply
        .code(created ? 201 : 200)
        .send({ sha256: sha256.toLowerCase(), size: request.body.length });
    },
  );
}
