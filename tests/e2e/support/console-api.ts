/** The console's API as an administrator sees it: how the browser tests look at the server. */
import { request, type APIRequestContext } from '@playwright/test';

export interface WindowCard {
  id: string;
  code: string;
  name: string;
  department: { id: string; name: string };
  ratingPath: string;
}

export interface ServerRating {
  id: string;
  level: string;
  channel: string;
  windowCode: string;
  reasons: string[];
  comment: string;
  ticket: string | null;
  deviceId: string;
}

export class ConsoleApi {
  private constructor(private readonly api: APIRequestContext) {}

  static async login(baseURL: string): Promise<ConsoleApi> {
    const api = await request.newContext({ baseURL });
    const res = await api.post('/api/v1/admin/login', {
      data: { username: 'admin', password: process.env.E2E_ADMIN_PASSWORD },
    });
    if (!res.ok()) throw new Error(`login failed: ${res.status()} ${await res.text()}`);
    return new ConsoleApi(api);
  }

  async windows(): Promise<WindowCard[]> {
    return (await (await this.api.get('/api/v1/admin/windows')).json()).windows;
  }

  async window(code: string): Promise<WindowCard> {
    const w = (await this.windows()).find((x) => x.code === code);
    if (!w) throw new Error(`no window ${code}`);
    return w;
  }

  async ratings(): Promise<ServerRating[]> {
    const res = await this.api.get('/api/v1/admin/ratings?limit=1000');
    return (await res.json()).ratings;
  }

  async enrollEvaluator(windowId: string): Promise<string> {
    const res = await this.api.post('/api/v1/admin/enrollments', {
      data: { role: 'evaluator', windowId },
    });
    if (!res.ok()) throw new Error(`enrollment failed: ${res.status()} ${await res.text()}`);
    return (await res.json()).code;
  }

  async dispose(): Promise<void> {
    await this.api.dispose();
  }
}
