/**
 * What a step of a problem's history did, as a message key of the console's catalog and the
 * level it names: the console says it in the reader's language, exports in the hall's.
 */
import type { ProblemStep } from '../domain/problem';
import type { RatingLevel } from '../domain/rating';

export type StepMessageKey = `admin.steps.${
  | 'recorded'
  | 'ratingSubmitted'
  | 'followedUp'
  | 'assigned'
  | 'sentBack'
  | 'rectifying'
  | 'rectified'
  | 'verified'
  | 'closed'
  | 'commented'
  | 'precheckValid'
  | 'precheckMistaken'
  | 'precheckMalicious'
  | 'reviewUpheld'
  | 'reviewDismissed'
  | 'calledBackSatisfied'
  | 'calledBackUnsatisfied'
  | 'calledBackUnreached'}`;

/** The key saying what the step did, and the rating level it names ({level}), if any. */
export function stepMessage(step: ProblemStep): { key: StepMessageKey; level: RatingLevel | null } {
  const d = step.detail;
  const plain = (key: StepMessageKey) => ({ key, level: null });
  switch (step.type) {
    case 'problem.recorded':
      return plain('admin.steps.recorded');
    case 'rating.submitted':
      return { key: 'admin.steps.ratingSubmitted', level: d.level as RatingLevel };
    case 'rating.followedUp':
      return { key: 'admin.steps.followedUp', level: d.level as RatingLevel };
    case 'problem.assigned':
      return plain('admin.steps.assigned');
    case 'problem.statusChanged':
      if (d.to === 'rectifying' && d.from === 'rectified') return plain('admin.steps.sentBack');
      if (d.to === 'rectifying') return plain('admin.steps.rectifying');
      if (d.to === 'rectified') return plain('admin.steps.rectified');
      if (d.to === 'verified') return plain('admin.steps.verified');
      return plain('admin.steps.closed');
    case 'problem.commented':
      return plain('admin.steps.commented');
    case 'problem.prechecked':
      return plain(
        d.verdict === 'mistaken'
          ? 'admin.steps.precheckMistaken'
          : d.verdict === 'malicious'
            ? 'admin.steps.precheckMalicious'
            : 'admin.steps.precheckValid',
      );
    case 'problem.reviewed':
      return plain(d.upheld ? 'admin.steps.reviewUpheld' : 'admin.steps.reviewDismissed');
    case 'problem.calledBack':
      return plain(
        !d.reached
          ? 'admin.steps.calledBackUnreached'
          : d.satisfied === false
            ? 'admin.steps.calledBackUnsatisfied'
            : 'admin.steps.calledBackSatisfied',
      );
  }
}
