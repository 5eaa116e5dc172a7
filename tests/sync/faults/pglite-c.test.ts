import 'fake-indexeddb/auto';
import { openPglite } from '../../../src/server/db/pglite';
import { startSimServer } from './simulation';
import { faultSuite } from './suite';

// Seeds 501–750 of the 1,000 run on every `npm test`, one quarter per file so they run in
// parallel.
faultSuite({
  suite: 'sync-faults-pglite--c',
  open: async () => startSimServer(await openPglite()),
  seeds: Array.from({ length: 250 }, (_, i) => 501 + i),
});
