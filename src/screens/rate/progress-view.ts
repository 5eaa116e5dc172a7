/**
 * How a citizen's phone shows the handling of one 差评: three stages, 受理 → 整改 → 回访, each
 * with words beside its colour, and a line when the 差评 is under review or was set aside.
 */
import type { CitizenProgress } from '../../domain/problem';
import type { MessageKey } from '../../i18n';

/** Where a stage stands: finished, under way now, not reached yet, or not needed any more. */
export type StageState = 'done' | 'current' | 'waiting' | 'stopped';

export interface ProgressStage {
  key: 'accept' | 'rectify' | 'callBack';
  state: StageState;
  /** The stage's name (受理, 整改, 回访). */
  label: MessageKey;
  /** Where it stands, in words (已受理, 整改中 …). */
  text: MessageKey;
}

/** The three stages of a 差评's handling as the citizen sees them. */
export function progressStages(p: CitizenProgress): ProgressStage[] {
  if (p.setAside) {
    return [
      {
        key: 'accept',
        state: 'stopped',
        label: 'rate.progress.stageAccept',
        text: 'rate.progress.setAside',
      },
      {
        key: 'rectify',
        state: 'stopped',
        label: 'rate.progress.stageRectify',
        text: 'rate.progress.notNeeded',
      },
      {
        key: 'callBack',
        state: p.calledBack ? 'done' : 'stopped',
        label: 'rate.progress.stageCallBack',
        text: p.calledBack ? 'rate.progress.calledBack' : 'rate.progress.notNeeded',
      },
    ];
  }
  const accept: ProgressStage = p.accepted
    ? {
        key: 'accept',
        state: 'done',
        label: 'rate.progress.stageAccept',
        text: 'rate.progress.accepted',
      }
    : {
        key: 'accept',
        state: 'current',
        label: 'rate.progress.stageAccept',
        text: p.underReview ? 'rate.progress.underReview' : 'rate.progress.awaitingAccept',
      };
  const rectify: ProgressStage =
    p.rectification === 'done'
      ? {
          key: 'rectify',
          state: 'done',
          label: 'rate.progress.stageRectify',
          text: 'rate.progress.rectified',
        }
      : p.rectification === 'in_progress' || p.accepted
        ? {
            key: 'rectify',
            state: 'current',
            label: 'rate.progress.stageRectify',
            text:
              p.rectification === 'in_progress'
                ? 'rate.progress.rectifying'
                : 'rate.progress.awaitingRectify',
          }
        : {
            key: 'rectify',
            state: 'waiting',
            label: 'rate.progress.stageRectify',
            text: 'rate.progress.notStarted',
          };
  const callBack: ProgressStage = p.calledBack
    ? {
        key: 'callBack',
        state: 'done',
        label: 'rate.progress.stageCallBack',
        text: 'rate.progress.calledBack',
      }
    : p.rectification === 'done'
      ? {
          key: 'callBack',
          state: 'current',
          label: 'rate.progress.stageCallBack',
          text: 'rate.progress.awaitingCallBack',
        }
      : {
          key: 'callBack',
          state: 'waiting',
          label: 'rate.progress.stageCallBack',
          text: 'rate.progress.notStarted',
        };
  return [accept, rectify, callBack];
}

/** A one-line summary of where the 差评 stands, for the item's heading. */
export function progressSummary(p: CitizenProgress): MessageKey {
  if (p.setAside) return 'rate.progress.setAside';
  if (p.underReview) return 'rate.progress.underReview';
  if (p.followUp) return 'rate.progress.summaryFollowedUp';
  if (p.canFollowUp) return 'rate.progress.summaryCanFollowUp';
  if (p.rectification === 'done') return 'rate.progress.rectified';
  if (p.accepted) return 'rate.progress.summaryHandling';
  return 'rate.progress.awaitingAccept';
}
