import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded database may be opened by one process at a time. Take `<file>` for this process,
 * or throw when a live process holds it; a lock left by a process that died is taken over.
 * Returns the release function.
 */
export function lockFile(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || alive(pid))) {
        throw new DataDirBusyError(
          `The embedded database is in use by process ${pid}. Stop that process first, or run ` +
            'the hall server on PostgreSQL (DATABASE_URL) to share one database between processes.',
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DataDirBusyError(`Could not lock ${file}.`);
}
