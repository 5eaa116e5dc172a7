import 'fake-indexeddb/auto';
import { describe } from 'vitest';
import { postgresUrl } from '../../support/databases';
import { startProcessServers } from './processes';
import { faultSuite } from './suite';

const url = postgresUrl();

// Several devices pushing at once through two server processes on one PostgreSQL while others
// pull: the per-hall order number, taken under the hall's lock inside each push, must never let a
// reader's cursor pass an event that commits later.
describe.skipIf(!url)('two server processes on PostgreSQL', () => {
  faultSuite({
    suite: 'sync-faults-postgres',
    open: () => startProcessServers(url!, [8201, 8202]),
    seeds: Array.from({ length: 40 }, (_, i) => 5001 + i),
    shape: { evaluators: [3, 5], tablets: 0.5, restarts: 0.02, concurrency: [2, 5] },
    timeoutMs: 120_000,
  });
});
