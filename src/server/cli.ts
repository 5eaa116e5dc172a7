/**
 * `npm run hall -- <command>`: operator commands against the hall's database (the same
 * DATABASE_URL / DATA_DIR as the server).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config';
import { DataDirBusyError, migrate, openDb, type Db } from './db/index';
import { DEVICE_ROLES, type DeviceRole } from '../domain/device';
import { OperatorError, enroll, ratingCard, ratingCards, requireHall } from './operator';
import { resetAdminPassword } from './services/admin';
import { ADMIN_USERNAME } from './seed';

export const HELP = `Usage: npm run hall -- <command> [options]

Commands:
  enroll --role <role> [--window <code>] [--name <name>] [--hours <n>]
                         Create a one-time enrollment code for a device and print it with its
                         setup URL. Roles: ${DEVICE_ROLES.join(', ')}. An evaluator needs --window.
  card <window code>     Print the rating card URL of one window.
  cards                  Print the rating card URLs of every window.
  reset-admin-password [--user <name>]
                         Set a new random password for the administrator (default: admin) and
                         print it.
  --help                 Show this help.

The database is the server's: DATABASE_URL (PostgreSQL) or DATA_DIR (default ./data).
Printed URLs start with PUBLIC_URL (default http://localhost:PORT).`;

export class UsageError extends Error {
  override name = 'UsageError';
}

type Output = (line: string) => void;

/** Run one command; returns the process exit code. */
export async function runCommand(
  argv: string[],
  db: Db,
  config: Config,
  out: Output,
): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'enroll': {
      const { values } = parseArgs({
        args: rest,
        options: {
          role: { type: 'string' },
          window: { type: 'string' },
          name: { type: 'string' },
          hours: { type: 'string' },
        },
      });
      const role = values.role as DeviceRole | undefined;
      if (!role || !DEVICE_ROLES.includes(role)) {
        throw new UsageError(`--role must be one of: ${DEVICE_ROLES.join(', ')}`);
      }
      if (role === 'evaluator' && !values.window)
        throw new UsageError('An evaluator needs --window <code>.');
      const hours = values.hours === undefined ? undefined : Number(values.hours);
      if (hours !== undefined && !(hours > 0 && hours <= 24 * 30)) {
        throw new UsageError('--hours must be a number of hours between 0 and 720.');
      }
      const e = await enroll(db, config, {
        role,
        now: Date.now(),
        ...(values.window ? { windowCode: values.window } : {}),
        ...(values.name ? { name: values.name } : {}),
        ...(hours ? { hours } : {}),
      });
      out(`Enrollment code: ${e.code}`);
      out(`Setup URL:       ${e.setupUrl}`);
      out(
        `Role:            ${role}${values.window ? ` (window ${values.window.toUpperCase()})` : ''}`,
      );
      out(`Valid until:     ${e.expiresAt}`);
      return 0;
    }
    case 'card': {
      const code = rest[0];
      if (!code) throw new UsageError('Which window? e.g. npm run hall -- card A01');
      const card = await ratingCard(db, config, code);
      out(`${card.code} ${card.name} · ${card.department}${card.active ? '' : ' (closed)'}`);
      out(card.url);
      return 0;
    }
    case 'cards': {
      for (const card of await ratingCards(db, config)) {
        out(
          `${card.code.padEnd(6)} ${card.url}   ${card.department}${card.active ? '' : ' (closed)'}`,
        );
      }
      return 0;
    }
    case 'reset-admin-password': {
      const { values } = parseArgs({ args: rest, options: { user: { type: 'string' } } });
      const hall = await requireHall(db);
      const username = values.user ?? ADMIN_USERNAME;
      const password = await resetAdminPassword(db, hall.id, username, Date.now());
      out(`New password for ${username}: ${password}`);
      out('Every session of this administrator has been ended.');
      return 0;
    }
    default:
      throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    console.log(HELP);
    return argv.length === 0 ? 1 : 0;
  }
  const config = loadConfig();
  const db = await openDb(config);
  try {
    await migrate(db);
    return await runCommand(argv, db, config, (line) => console.log(line));
  } finally {
    await db.close();
  }
}

// Run only as a program, not when imported by tests.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  main()
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n\n${HELP}`);
      } else if (
        error instanceof OperatorError ||
        error instanceof ConfigError ||
        error instanceof DataDirBusyError ||
        (error instanceof TypeError &&
          'code' in error &&
          String(error.code).startsWith('ERR_PARSE_ARGS'))
      ) {
        console.error(error.message);
      } else {
        console.error(error);
      }
      process.exit(1);
    });
}
