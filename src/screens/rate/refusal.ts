/** Words for a rating or a follow-up rating (追评) the server refused after it was saved. */
import { t } from '../../i18n';

export function refusalText(reason: string | undefined): string {
  if (reason === 'not_followable' || reason === 'already_followed_up') {
    return t('outcomes.followUpRefused', { reason: t(`rate.followUp.${reason}`) });
  }
  const why =
    reason === 'duplicate_ticket' || reason === 'too_soon'
      ? t(`writeErrors.${reason}`)
      : t('outcomes.refusedGeneric');
  return t('outcomes.refused', { reason: why });
}
