/** The server's configuration, read from the environment once at start-up. */
import * as v from 'valibot';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The longest demo history a start may fill (a year and a leap day). */
export const MAX_DEMO_HISTORY_DAYS = 366;
const DEMO_HISTORY_RANGE = `must be a whole number of days from 1 to ${MAX_DEMO_HISTORY_DAYS}`;

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
  DEMO_HISTORY_DAYS: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, DEMO_HISTORY_RANGE),
      v.transform(Number),
      v.minValue(1, DEMO_HISTORY_RANGE),
      v.maxValue(MAX_DEMO_HISTORY_DAYS, DEMO_HISTORY_RANGE),
    ),
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
  /**
   * Fill the demo hall with this many days of history on start (`--demo-history N` or
   * DEMO_HISTORY_DAYS), if it has none yet.
   */
  demoHistoryDays?: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The command line's options as the variables they stand for: `--demo-history N` (or
 * `--demo-history=N`) is DEMO_HISTORY_DAYS. Throws a {@link ConfigError} for anything else.
 */
export function argumentsAsEnv(argv: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--demo-history(?:=(.*))?$/.exec(arg);
    if (!m) {
      throw new ConfigError(
        `Unknown option ${JSON.stringify(arg)}. Options: --demo-history <days, 1–${MAX_DEMO_HISTORY_DAYS}>`,
      );
    }
    const value = m[1] ?? argv[++i];
    if (value === undefined || value === '') {
      throw new ConfigError(
        `Invalid option:\n  --demo-history: needs a number of days from 1 to ${MAX_DEMO_HISTORY_DAYS}`,
      );
    }
    env.DEMO_HISTORY_DAYS = value;
  }
  return env;
}

/**
 * Read the configuration from the environment and the command line (whose options win); throws
 * a {@link ConfigError} naming every bad variable.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  argv: readonly string[] = [],
): Config {
  const fromArgs = argumentsAsEnv(argv);
  // Empty variables count as unset, as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(
    Object.entries({ ...env, ...fromArgs }).filter(
      ([k, val]) => k in EnvSchema.entries && val !== undefined && val !== '',
    ),
  );
  const result = v.safeParse(EnvSchema, present);
  if (!result.success) {
    const lines = result.issues.map((issue) => {
      const key = v.getDotPath(issue) ?? '?';
      if (key === 'DEMO_HISTORY_DAYS' && fromArgs[key] !== undefined) {
        return `  --demo-history ${JSON.stringify(fromArgs[key])}: ${issue.message}`;
      }
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
    ...(o.DEMO_HISTORY_DAYS !== undefined ? { demoHistoryDays: o.DEMO_HISTORY_DAYS } : {}),
  };
}

/** Base URL for printed links. */
export function printedBase(config: Config): string {
  return config.publicUrl ?? `http://localhost:${config.port}`;
}
