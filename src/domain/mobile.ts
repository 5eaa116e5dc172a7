/**
 * A citizen's mobile number for the call-back (回访) of a 差评: the one rule the phone's form and the
 * server both apply, and the masked form the console shows before an audited reveal.
 */

/** A mainland mobile number: 11 digits starting with 1 (spaces and dashes ignored). */
export function normalizeMobile(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const digits = input.replace(/[\s-]/g, '');
  return /^1\d{10}$/.test(digits) ? digits : null;
}

/** 138****5678. */
export function maskMobile(number: string): string {
  return `${number.slice(0, 3)}****${number.slice(-4)}`;
}
