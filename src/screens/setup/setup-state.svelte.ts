/** Enrolling this device with a one-time code from the console (design §5). */
import type { DeviceCredentials } from '../../app/device-api';
import type { DeviceRole } from '../../domain/device';

export const ENROLL_ERRORS = [
  'invalid_code',
  'expired_code',
  'used_code',
  'offline',
  'server_error',
  'unsynced_records',
] as const;
export type EnrollErrorCode = (typeof ENROLL_ERRORS)[number];

export type Enroll = (code: string, name?: string) => Promise<DeviceCredentials>;

function enrollErrorCode(error: unknown): EnrollErrorCode {
  const code = (error as { code?: unknown } | null)?.code;
  return ENROLL_ERRORS.find((known) => known === code) ?? 'server_error';
}

export class SetupState {
  #enroll: Enroll;
  #code = $state('');
  #name = $state('');
  #busy = $state(false);
  #missingCode = $state(false);
  #error = $state<EnrollErrorCode | null>(null);
  #enrolledAs = $state<DeviceRole | null>(null);

  constructor(enroll: Enroll, code: string | null) {
    this.#enroll = enroll;
    this.#code = code ?? '';
  }

  get code(): string {
    return this.#code;
  }
  set code(value: string) {
    this.#code = value;
    if (value.trim()) this.#missingCode = false;
  }
  get name(): string {
    return this.#name;
  }
  set name(value: string) {
    this.#name = value;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get missingCode(): boolean {
    return this.#missingCode;
  }
  get error(): EnrollErrorCode | null {
    return this.#error;
  }
  /** The role this device now has, once enrolled. */
  get enrolledAs(): DeviceRole | null {
    return this.#enrolledAs;
  }

  async submit(): Promise<void> {
    if (this.#busy) return;
    const code = this.#code.trim();
    if (!code) {
      this.#missingCode = true;
      return;
    }
    this.#busy = true;
    this.#error = null;
    try {
      const name = this.#name.trim();
      const credentials = await this.#enroll(code, name || undefined);
      this.#enrolledAs = credentials.role;
    } catch (error) {
      this.#error = enrollErrorCode(error);
    } finally {
      this.#busy = false;
    }
  }
}
