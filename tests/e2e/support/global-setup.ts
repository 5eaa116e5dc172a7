/** Browser tests run against the real server, started as `npm start` starts it. */
import { startServerProcess } from '../../support/server-process';

export const E2E_PORT = 8181;

export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startServerProcess(E2E_PORT);
  process.env.E2E_ADMIN_PASSWORD = server.adminPassword;
  process.env.E2E_ENROLL_CODE = server.enrollmentCode;
  return () => server.stop();
}
