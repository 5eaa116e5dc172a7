/**
 * "我的差评处理进度" on the rating page: how this phone's 差评 are being handled, asked from the
 * server, and a follow-up rating (追评) form for each one that has been put right.
 */
import type { Phone, WriteErrorCode } from '../../app/device-api';
import type { ProgressErrorCode } from '../../app/phone';
import type { Id } from '../../domain/ids';
import { COMMENT_MAX, type RatingLevel } from '../../domain/rating';
import type { PublicProgressItem } from '../../sync/pipeline-protocol';

/** Why a follow-up was not saved: refused on this phone, or storage failed. */
export type FollowUpErrorCode = 'unknown_rating' | 'already_followed_up' | WriteErrorCode;

const FOLLOW_UP_REFUSALS: readonly string[] = ['unknown_rating', 'already_followed_up'];
const WRITE_ERRORS: readonly string[] = [
  'storage_full',
  'storage_unavailable',
  'duplicate_ticket',
  'too_soon',
];

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function followUpErrorCode(error: unknown): FollowUpErrorCode {
  const code = codeOf(error);
  return code && (FOLLOW_UP_REFUSALS.includes(code) || WRITE_ERRORS.includes(code))
    ? (code as FollowUpErrorCode)
    : 'storage_unavailable';
}

type Send = (ratingId: Id, level: RatingLevel, comment: string) => Promise<void>;

/** The 追评 form of one 差评. */
export class FollowUpForm {
  readonly ratingId: Id;
  #send: Send;
  #level = $state<RatingLevel | null>(null);
  #comment = $state('');
  #needLevel = $state(false);
  #saving = $state(false);
  #error = $state<FollowUpErrorCode | null>(null);
  #sent = $state<RatingLevel | null>(null);

  constructor(ratingId: Id, send: Send) {
    this.ratingId = ratingId;
    this.#send = send;
  }

  get level(): RatingLevel | null {
    return this.#level;
  }
  get comment(): string {
    return this.#comment;
  }
  set comment(value: string) {
    this.#comment = value.slice(0, COMMENT_MAX);
  }
  /** The last submit had no level chosen (nothing was saved). */
  get needLevel(): boolean {
    return this.#needLevel;
  }
  get saving(): boolean {
    return this.#saving;
  }
  get error(): FollowUpErrorCode | null {
    return this.#error;
  }
  /** The level sent from this page, once saved on the phone. */
  get sent(): RatingLevel | null {
    return this.#sent;
  }

  choose(level: RatingLevel): void {
    if (this.#saving || this.#sent) return;
    this.#level = level;
    this.#needLevel = false;
    this.#error = null;
  }

  /** Save the follow-up on the phone; the thanks shows only once it is committed. */
  async submit(): Promise<void> {
    if (this.#saving || this.#sent) return;
    const level = this.#level;
    if (!level) {
      this.#needLevel = true;
      return;
    }
    this.#saving = true;
    this.#error = null;
    try {
      await this.#send(this.ratingId, level, this.#comment.trim());
      this.#sent = level;
    } catch (error) {
      this.#error = followUpErrorCode(error);
    } finally {
      this.#saving = false;
    }
  }
}

export class ProgressState {
  #phone: Pick<Phone, 'progress' | 'followUp'>;
  #items = $state.raw<PublicProgressItem[]>([]);
  #error = $state<ProgressErrorCode | null>(null);
  #loading = $state(false);
  #loaded = $state(false);
  // Forms keep their own reactive state; the map only hands out the same form for a rating.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #forms = new Map<Id, FollowUpForm>();
  #running: Promise<void> | null = null;
  #again = false;

  constructor(phone: Pick<Phone, 'progress' | 'followUp'>) {
    this.#phone = phone;
  }

  /** This phone's 差评 with their progress, newest first (as last answered). */
  get items(): PublicProgressItem[] {
    return this.#items;
  }
  /** Why the last question failed; the items of an earlier answer stay shown. */
  get error(): ProgressErrorCode | null {
    return this.#error;
  }
  get loading(): boolean {
    return this.#loading;
  }
  /** Whether the section shows: only for a phone that gave 差评 (an error means it has some). */
  get visible(): boolean {
    return this.#items.length > 0 || this.#error !== null;
  }
  /** An answer (or an error) has come at least once. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Ask again; calls while a question runs are answered by one more question after it. */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#run().finally(() => (this.#running = null));
    return this.#running;
  }

  /** The follow-up form of a 差评 (the same one for as long as the page lives). */
  form(ratingId: Id): FollowUpForm {
    let form = this.#forms.get(ratingId);
    if (!form) {
      form = new FollowUpForm(ratingId, async (id, level, comment) => {
        await this.#phone.followUp(id, level, comment);
        void this.refresh();
      });
      this.#forms.set(ratingId, form);
    }
    return form;
  }

  async #run(): Promise<void> {
    this.#loading = true;
    try {
      do {
        this.#again = false;
        try {
          this.#items = await this.#phone.progress();
          this.#error = null;
        } catch (error) {
          this.#error = codeOf(error) === 'offline' ? 'offline' : 'failed';
        }
      } while (this.#again);
    } finally {
      this.#loading = false;
      this.#loaded = true;
    }
  }
}
