/**
 * The console's 异常评价 section: bursts and limited requests flagged by the server, with their
 * evidence, reviewed with a verdict and a note; and the repeated presses kept for audit. Nothing
 * here deletes or uncounts a rating.
 */
import type { Id } from '../../domain/ids';
import type { RatingFlagVerdict } from '../../domain/rating-integrity';
import type { RatingExtrasResponse, RatingFlagsResponse } from '../../sync/integrity-protocol';
import type { AdminCall } from './admin-api';
import { Loadable } from './admin-state.svelte';
import { FormRun } from './form-run.svelte';

export class RatingFlagsState {
  readonly flags: Loadable<RatingFlagsResponse>;
  readonly extras: Loadable<RatingExtrasResponse>;
  /** The review being sent, its refusal and what was done. */
  readonly run: FormRun<'reviewed'>;
  #call: AdminCall;

  constructor({ call, onError }: { call: AdminCall; onError: (error: unknown) => void }) {
    this.#call = call;
    this.flags = new Loadable(() => call<RatingFlagsResponse>('GET', '/rating-flags'), onError);
    this.extras = new Loadable(() => call<RatingExtrasResponse>('GET', '/rating-extras'), onError);
    this.run = new FormRun(onError);
  }

  /** Load both lists once. */
  ensure(): void {
    this.flags.ensure();
    this.extras.ensure();
  }

  /** Mark a flag reviewed; resolves true when the server took it (the list is reloaded). */
  review(id: Id, verdict: RatingFlagVerdict, note: string): Promise<boolean> {
    return this.run.run(`flag:${id}`, 'reviewed', async () => {
      await this.#call('POST', `/rating-flags/${encodeURIComponent(id)}/review`, {
        verdict,
        note: note.trim(),
      });
      await this.flags.refresh();
    });
  }

  clear(): void {
    this.flags.clear();
    this.extras.clear();
    this.run.reset();
  }
}
