/** The server's configuration, read from the environment once at start-up. */
import * as v from 'valibot';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'must be a whole number'),
  v.transform(Number),
  v.minValue(0, 'must be between 0 and 65535'),
  v.maxValue(65535, 'must be between 0 and 65535'),
);

const url = (protocols: string[]) =>
  v.pipe(
    v.string(),
    v.check(
      (s) => {
        try {
          return protocols.includes(new URL(s).protocol);
        } catch {
          return false;
        }
      },
      `must be a ${protocols.map((p) => p.replace(':', '://…')).join(' or ')} URL`,
    ),
  );

const EnvSchema = v.object({
  PORT: v.optional(port, '8080'),
  HOST: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty')), '0.0.0.0'),
  DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty')), './data'),
  DATABASE_URL: v.optional(url(['postgres:', 'postgresql:'])),
  PUBLIC_URL: v.optional(url(['http:', 'https:'])),
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), 'info'),
  TRUST_PROXY: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^(true|false|\d{1,2})$/, 'must be true, false or a number of proxy hops'),
      v.transform((s) => (s === 'true' ? true : s === 'false' ? false : Number(s))),
    ),
    'false',
  ),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL when set; otherwise the embedded PGlite in `<dataDir>/db`. */
  databaseUrl?: string;
  /**
   * Base of printed and QR-coded URLs (e.g. `https://hall.example`); when unset the console uses
   * the address it was reached at and the command line prints `http://localhost:<port>`.
   */
  publicUrl?: string;
  logLevel: LogLevel;
  /**
   * Behind a load balancer or TLS proxy: trust its X-Forwarded-* headers (true, or how many hops),
   * so the client's address is rate-limited and https requests get Secure cookies.
   */
  trustProxy: boolean | number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Read the configuration; throws a {@link ConfigError} naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty variables count as unset, as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([k, val]) => k in EnvSchema.entries && val !== undefined && val !== '',
    ),
  );
  const result = v.safeParse(EnvSchema, present);
  if (!result.success) {
    const lines = result.issues.map((issue) => {
      const key = v.getDotPath(issue) ?? '?';
      return `  ${key}=${JSON.stringify(env[key] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const o = result.output;
  return {
    port: o.PORT,
    host: o.HOST,
    dataDir: o.DATA_DIR,
    ...(o.DATABASE_URL ? { databaseUrl: o.DATABASE_URL } : {}),
    ...(o.PUBLIC_URL ? { publicUrl: o.PUBLIC_URL.replace(/\/+$/, '') } : {}),
    logLevel: o.LOG_LEVEL,
    trustProxy: o.TRUST_PROXY,
  };
}

/** Base URL for printed links. */
export function printedBase(config: Config): string {
  return config.publicUrl ?? `http://localhost:${config.port}`;
}
