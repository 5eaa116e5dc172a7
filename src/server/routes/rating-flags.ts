/** Console routes of rating integrity; registered inside the console's session scope. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import { RATING_FLAG_VERDICTS } from '../../domain/rating-integrity';
import type { AppContext } from '../context';
import { badRequest } from '../errors';
import { listRatingExtras, listRatingFlags, reviewRatingFlag } from '../services/rating-flags';

const ReviewSchema = v.object({
  verdict: v.picklist(RATING_FLAG_VERDICTS),
  note: v.pipe(v.string(), v.trim(), v.maxLength(500)),
});

export function ratingFlagAdminRoutes(scope: FastifyInstance, { db, now }: AppContext): void {
  const hallOf = (request: FastifyRequest) => request.admin!.hallId;

  scope.get('/api/v1/admin/rating-flags', async (request) => {
    const { open } = request.query as { open?: unknown };
    return listRatingFlags(db, hallOf(request), { open: open === '1' || open === 'true' });
  });

  scope.post('/api/v1/admin/rating-flags/:id/review', async (request) => {
    const { id } = request.params as { id: string };
    const parsed = v.safeParse(ReviewSchema, request.body);
    if (!parsed.success) {
      throw badRequest('invalid_review', 'Expected { verdict: "kept" | "fraud", note }.');
    }
    if (typeof id !== 'string' || id.length > 64) {
      throw badRequest('invalid_review', 'Expected a flag id.');
    }
    await reviewRatingFlag(db, hallOf(request), id, parsed.output, request.admin!.adminId, now());
    return { ok: true };
  });

  scope.get('/api/v1/admin/rating-extras', async (request) =>
    listRatingExtras(db, hallOf(request)),
  );
}
