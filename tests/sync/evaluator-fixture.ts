/** A suite's own hall server and the evaluators its tests start against it. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { DeviceOptions, EnrolledDevice } from '../../src/app/device';
import { startTestServer, type TestServer } from '../support/server';
import { DELIVERED_RATINGS, count, enrolledEvaluator } from './helpers';

/**
 * Starts one server for the file (`server()`, read inside tests) and stops every device pushed to
 * `running` after each test; `evaluator` enrolls and opens one there and adds it to `running`.
 */
export function evaluatorFixture() {
  let current: TestServer | undefined;
  const running: EnrolledDevice[] = [];
  beforeAll(async () => {
    current = await startTestServer();
  });
  afterAll(async () => {
    await current?.close();
  });
  afterEach(() => {
    for (const d of running.splice(0)) d.stop();
  });

  const server = (): TestServer => {
    if (!current) throw new Error('the suite server has not started');
    return current;
  };

  /** Enroll an evaluator for `windowCode` (default: the first window) and start it. */
  async function evaluator(extra: Partial<DeviceOptions> = {}, windowCode?: string) {
    const started = await enrolledEvaluator(server(), extra, windowCode);
    running.push(started.device);
    return started;
  }

  /** How many ratings the server stored from one device. */
  const ratingsFrom = (deviceId: string) =>
    count(server(), `SELECT count(*) AS n FROM ${DELIVERED_RATINGS} WHERE device_id = $1`, [
      deviceId,
    ]);

  return { server, running, evaluator, ratingsFrom };
}
