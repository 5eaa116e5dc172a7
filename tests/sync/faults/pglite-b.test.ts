import 'fake-indexeddb/auto';
import { openPglite } from '../../../src/server/db/pglite';
import { startSimServer } from './simulation';
import { faultSuite } from './suite';

// Seeds 251–500 of the 1,000 run on every `npm test`, one quarter per file so they run in
// parallel.
faultSuite({
  suite: 'sync-faults-pglite--b',
  open: async () => startSimServer(await openPglite()),
  seeds: Array.from({ length: 250 }, (_, i) => 251 + i),
});
