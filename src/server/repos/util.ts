/** Timestamps come back from both adapters as Date; the API speaks ISO strings. */
export function iso(value: Date | string): string;
export function iso(value: Date | string | null): string | null;
export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

export function json(value: unknown): string {
  return JSON.stringify(value);
}
