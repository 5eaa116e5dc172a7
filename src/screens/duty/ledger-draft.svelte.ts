/**
 * The line a leader is adding to the duty ledger: its kind, a number for people served or cases,
 * a text for feedback, and whether it needs follow-up; checked before it is written. Loaded with
 * the session view, not with the schedule.
 */
import type { LedgerInput } from '../../app/device-api';
import type { LedgerKind } from '../../domain/events';
import type { WriteProblem } from './duty-state.svelte';

export type LedgerProblem = 'count_required' | 'text_required' | WriteProblem;

/** Kinds of ledger lines that carry a number, and those that carry a text. */
const COUNTED: readonly LedgerKind[] = ['served', 'cases'];
const FEEDBACK: readonly LedgerKind[] = ['complaint', 'suggestion'];

/** Where the line is written (the duty kiosk's screen state). */
export interface Ledger {
  readonly busy: boolean;
  addLine(input: LedgerInput): Promise<WriteProblem | null>;
}

export class LedgerDraft {
  #kind = $state<LedgerKind>('served');
  #count = $state('');
  #text = $state('');
  #followUp = $state(false);
  #problem = $state<LedgerProblem | null>(null);
  #saved = $state(false);

  constructor(private readonly ledger: Ledger) {}

  get kind(): LedgerKind {
    return this.#kind;
  }
  set kind(value: LedgerKind) {
    this.#kind = value;
    if (!FEEDBACK.includes(value)) this.#followUp = false;
    this.#changed();
  }
  get count(): string {
    return this.#count;
  }
  set count(value: string) {
    this.#count = value;
    this.#changed();
  }
  get text(): string {
    return this.#text;
  }
  set text(value: string) {
    this.#text = value;
    this.#changed();
  }
  get followUp(): boolean {
    return this.#followUp;
  }
  set followUp(value: boolean) {
    this.#followUp = value && FEEDBACK.includes(this.#kind);
  }
  /** Whether the current kind asks for a number, a text, and offers "needs follow-up". */
  get countsPeople(): boolean {
    return COUNTED.includes(this.#kind);
  }
  get isFeedback(): boolean {
    return FEEDBACK.includes(this.#kind);
  }
  get problem(): LedgerProblem | null {
    return this.#problem;
  }
  /** The last line was written (until the form is changed). */
  get saved(): boolean {
    return this.#saved;
  }

  /** Check the line and write it; a written line empties the form. */
  async add(): Promise<void> {
    if (this.ledger.busy) return;
    const text = this.#text.trim();
    const count = this.countsPeople ? Number(this.#count) : 1;
    if (this.countsPeople && !(Number.isInteger(count) && count > 0 && count <= 10_000)) {
      this.#problem = 'count_required';
      return;
    }
    if (!this.countsPeople && !text) {
      this.#problem = 'text_required';
      return;
    }
    const problem = await this.ledger.addLine({
      kind: this.#kind,
      count,
      text,
      needsFollowUp: this.isFeedback && this.#followUp,
    });
    if (problem) {
      this.#problem = problem;
      return;
    }
    this.#kind = 'served';
    this.#count = '';
    this.#text = '';
    this.#followUp = false;
    this.#problem = null;
    this.#saved = true;
  }

  #changed(): void {
    this.#problem = null;
    this.#saved = false;
  }
}
