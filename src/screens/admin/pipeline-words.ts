/** Words for the pipeline's facts: deadlines, history steps, who took them, a 差评's reasons. */
import { POOR_RATING_REASONS } from '../../domain/rating';
import type { Deadline, ProblemStep } from '../../domain/problem';
import type { Id } from '../../domain/ids';
import { t } from '../../i18n';
import { stepMessage } from '../../i18n/problem-steps';

/** A deadline as a countdown: working days left, due today, overdue, or done on time / late. */
export function deadlineText(d: Deadline): string {
  if (d.done) return d.late ? t('admin.problems.doneLate') : t('admin.problems.doneOnTime');
  if (d.overdue) return t('admin.problems.overdueMark');
  if (d.remaining <= 0) return t('admin.problems.dueToday');
  return t('admin.problems.daysLeft', { count: d.remaining });
}

const REASON_WORDS = new Set<string>(POOR_RATING_REASONS);

/**
 * A problem's description in words: a 差评's is recorded as its reason codes and the comment
 * ("waited_too_long, attitude — …"), so the codes are said in the reader's language.
 */
export function describeProblem(source: string, description: string): string {
  if (source !== 'rating') return description;
  const cut = description.indexOf(' — ');
  const head = cut < 0 ? description : description.slice(0, cut);
  const codes = head.split(', ');
  if (!codes.every((c) => REASON_WORDS.has(c))) return description;
  const reasons = codes.map((c) => t(`reasons.${c as (typeof POOR_RATING_REASONS)[number]}`));
  return [reasons.join('、'), cut < 0 ? '' : description.slice(cut + 3)]
    .filter(Boolean)
    .join(' — ');
}

/** What a step of a problem's history did, in words. */
export function stepTitle(step: ProblemStep): string {
  const { key, level } = stepMessage(step);
  return level === null ? t(key) : t(key, { level: t(`levels.${level}`) });
}

/** Who took a step: a leader's title or an administrator's name; a citizen for ratings. */
export function actorOf(step: ProblemStep, actors: Record<Id, string>): string {
  if (step.actorId && actors[step.actorId]) return actors[step.actorId]!;
  if (step.type === 'rating.submitted' || step.type === 'rating.followedUp')
    return t('admin.problem.citizen');
  return t('admin.problem.unknownActor');
}
