import type { EventOutcome } from './protocol';

/** How the server settled some of our events. */
export interface Settlement {
  /** deviceSeqs the server stored or already had. */
  acked: number[];
  /** deviceSeqs the server refused, with its reason. */
  rejected: { deviceSeq: number; reason: string; message: string }[];
}

export interface PushAnswer {
  /** Highest deviceSeq the server has processed for this device; null where not reported (phones). */
  lastSeq: number | null;
  results: EventOutcome[];
}

/**
 * What a push answer means for the events we sent. Each event's own outcome wins; an event the
 * answer does not mention counts as processed when it is at or below `lastSeq` (the server saw
 * it, e.g. through an earlier request whose answer was lost) and stays pending otherwise.
 * A `lastSeq` beyond what we sent needs nothing special: later events then answer `duplicate`.
 * Outcomes for events we did not send are ignored.
 */
export function settlePush(
  sent: readonly { deviceSeq: number; event: { id: string } }[],
  answer: PushAnswer,
): Settlement {
  const byId = new Map(answer.results.map((r) => [r.id, r]));
  const settlement: Settlement = { acked: [], rejected: [] };
  for (const { deviceSeq, event } of sent) {
    const outcome = byId.get(event.id);
    if (outcome?.status === 'rejected') {
      settlement.rejected.push({ deviceSeq, reason: outcome.reason, message: outcome.message });
    } else if (outcome || (answer.lastSeq !== null && deviceSeq <= answer.lastSeq)) {
      settlement.acked.push(deviceSeq);
    }
  }
  return settlement;
}
