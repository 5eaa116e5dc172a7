/**
 * How the inspection tablet names a leader: by title, or — for an unannounced inspection (暗访)
 * the console has not published yet — by the placeholder the server hands to the other tablets.
 */
import type { Id } from '../../domain/ids';
import type { Leader } from '../../domain/reference';
import { CONCEALED_LEADER_ID } from '../../domain/walk';
import { locale, t } from '../../i18n';

export function leaderTitle(id: Id | null | undefined, leader: Leader | null): string | null {
  if (id === CONCEALED_LEADER_ID) return t('inspectCovert.concealedLeader');
  return leader ? locale.pick(leader.title, leader.titleEn) : null;
}
