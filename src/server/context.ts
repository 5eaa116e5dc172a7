import type { Config } from './config';
import type { Db } from './db/db';

/** What every route module is given. */
export interface AppContext {
  db: Db;
  config: Config;
  now: () => number;
}
