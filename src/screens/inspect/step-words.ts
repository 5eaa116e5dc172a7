/** What a step of a problem's history says beyond its note, as a message to show. */
import type { MessageKey, MessageParams } from '../../i18n';
import type { ProblemStatus } from '../../domain/events';
import type { ProblemEventType, ProblemStep } from '../../domain/problem';

/** The heading of each kind of history entry. */
export const STEP_TITLES: Record<ProblemEventType, MessageKey> = {
  'problem.recorded': 'inspect.steps.recorded',
  'rating.submitted': 'inspect.steps.rated',
  'rating.followedUp': 'inspect.steps.followedUp',
  'problem.assigned': 'inspect.steps.assigned',
  'problem.statusChanged': 'inspect.steps.statusChanged',
  'problem.commented': 'inspect.steps.commented',
  'problem.prechecked': 'inspect.steps.prechecked',
  'problem.reviewed': 'inspect.steps.reviewed',
  'problem.calledBack': 'inspect.steps.calledBack',
};

export interface StepLine {
  key: MessageKey;
  params?: MessageParams;
}

/**
 * The detail line of a step, or null when its note says it all. `name` turns a department id
 * into its name and `status` a status into words, so this stays free of the reference.
 */
export function stepDetail(
  step: ProblemStep,
  name: (departmentId: string) => string,
  status: (s: ProblemStatus) => string,
): StepLine[] {
  const d = step.detail;
  switch (step.type) {
    case 'problem.assigned':
      return [
        {
          key: 'inspect.stepAssigned',
          params: { department: name(String(d.departmentId)), assignee: String(d.assignee ?? '') },
        },
      ];
    case 'problem.statusChanged':
      return [
        {
          key: 'inspect.stepMove',
          params: { from: status(d.from as ProblemStatus), to: status(d.to as ProblemStatus) },
        },
      ];
    case 'problem.prechecked':
      return [{ key: `inspect.verdicts.${d.verdict as 'valid' | 'mistaken' | 'malicious'}` }];
    case 'problem.reviewed':
      return [{ key: d.upheld ? 'inspect.reviewUpheld' : 'inspect.reviewDismissed' }];
    case 'problem.calledBack': {
      const lines: StepLine[] = [{ key: d.reached ? 'inspect.reached' : 'inspect.notReached' }];
      if (d.satisfied !== null && d.satisfied !== undefined)
        lines.push({ key: d.satisfied ? 'inspect.satisfied' : 'inspect.notSatisfied' });
      return lines;
    }
    default:
      return [];
  }
}
