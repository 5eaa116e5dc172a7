/** Words for a rating the server refused after it was saved on the phone. */
import { t } from '../../i18n';

export function refusalText(reason: string | undefined): string {
  const why =
    reason === 'duplicate_ticket' || reason === 'too_soon'
      ? t(`writeErrors.${reason}`)
      : t('outcomes.refusedGeneric');
  return t('outcomes.refused', { reason: why });
}
