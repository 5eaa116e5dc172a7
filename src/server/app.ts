/**
 * The server application, built without listening: tests call `app.inject` or listen on a
 * random loopback port; main.ts listens on the configured address.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, {
  LogController,
  type FastifyReply,
  type FastifyRequest,
  type FastifyError,
  type FastifyInstance,
  type FastifyLoggerOptions,
  type FastifyServerOptions,
} from 'fastify';
import { MAX_PUSH_BYTES } from '../sync/protocol';
import type { Config } from './config';
import type { AppContext } from './context';
import type { Db } from './db/db';
import { isWellFormedText } from '../domain/events';
import { refuseCrossSite } from './cross-site';
import { HttpError } from './errors';
import { adminRoutes } from './routes/admin';
import { blobRoutes } from './routes/blobs';
import { dutyRoutes } from './routes/duty';
import { publicRoutes } from './routes/public';
import { syncRoutes } from './routes/sync';
import { MAX_BLOB_BYTES } from './services/blobs';
import { keepRawJsonBodies } from './services/auth';

export interface AppOptions {
  db: Db;
  config: Config;
  /** The built client (`dist`); served with an index.html fallback for the app's paths. */
  staticDir?: string;
  /** fastify's logger: false for none, true or pino options for JSON lines. */
  logger?: boolean | object;
  /** The server's clock (ms); tests pin it. */
  now?: () => number;
}

/** Seconds a client is asked to wait after a transient failure. */
export const RETRY_AFTER_SECONDS = 5;

/** No request of the API nests this deep; deeper is junk that would only cost stack. */
const MAX_NESTING = 32;

/** How deep arrays and objects nest in a value, counted without recursion, up to `limit` + 1. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Routes that judge their text themselves: pushed events, each decided on its own so one cannot
 * block a device's queue, and the schedule import, which calls a file with NUL "not CSV text".
 */
const OWN_TEXT_CHECKS = new Set([
  '/api/v1/sync/push',
  '/api/v1/public/ratings',
  '/api/v1/admin/shifts/import',
]);

/** One method and path pattern the app answers (`/api/v1/admin/problems/:id`). */
export interface RouteSummary {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: readonly RouteSummary[];
  }
}

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
};

/** Paths of the single-page app's screens (design §6); anything else unknown is a 404. */
const APP_PATH = /^\/(?:$|index\.html$|r\/|kiosk(?:\/|$)|inspect|admin|setup|schedule|board)/;

const SECRET_PARAMS = /([?&](?:s|sig|token|code|password)=)[^&#]*/gi;

/** A URL fit for the log: card signatures, tokens and codes removed. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/** One JSON line per request, on completion, with secrets removed from the URL. */
class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(_error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    request.log.info(
      {
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  }
}

function loggerOptions(
  logger: AppOptions['logger'],
  config: Config,
): FastifyServerOptions['logger'] {
  if (logger === false) return false;
  const base: FastifyLoggerOptions & { level: string } = { level: config.logLevel };
  return typeof logger === 'object' ? { ...base, ...logger } : base;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db, config } = options;
  const now = options.now ?? Date.now;
  const serverOptions: FastifyServerOptions = {
    logger: loggerOptions(options.logger, config),
    logController: new RequestLog(),
    bodyLimit: MAX_PUSH_BYTES,
    // Requests refused before routing (an address that is not valid UTF-8, say) answer in the
    // API's own shape too.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).code(400).send({
        error: 'bad_request',
        message: `The request cannot be read: ${error.message.replace(/\s+/g, ' ').trim().slice(0, 200).trim()}`,
      });
    },
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
  };
  const app = Fastify(serverOptions);
  const ctx: AppContext = { db, config, now };

  app.setErrorHandler(
    (error: FastifyError | HttpError | { statusCode?: number }, request, reply) => {
      if (error instanceof HttpError) return reply.code(error.status).send(error.body());
      const e = error as FastifyError;
      const status = e.statusCode;
      if (status === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply
          .code(413)
          .send({ error: 'payload_too_large', message: 'The request body is too large.' });
      }
      if (status === 429) {
        return reply
          .code(429)
          .send({ error: 'rate_limited', message: 'Too many requests; try again shortly.' });
      }
      if (status === 415) {
        return reply.code(415).send({ error: 'unsupported_media_type', message: e.message });
      }
      if (status !== undefined && status >= 400 && status < 500) {
        return reply.code(status).send({ error: 'bad_request', message: e.message });
      }
      // Anything else is a failure of the server or its database: nothing was committed (the
      // transaction rolled back), and the same request can safely be sent again.
      request.log.error({ err: error }, 'request failed');
      return reply.code(503).header('Retry-After', String(RETRY_AFTER_SECONDS)).send({
        error: 'server_unavailable',
        message: 'The server cannot store this right now; retry later.',
      });
    },
  );

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });

  // Devices sign the bytes they send; the JSON parser keeps them (src/server/services/auth.ts).
  keepRawJsonBodies(app);
  for (const type of ['application/octet-stream', /^image\//]) {
    app.addContentTypeParser(
      type,
      { parseAs: 'buffer', bodyLimit: MAX_BLOB_BYTES },
      (_request, body, done) => done(null, body),
    );
  }

  // The console's state-changing requests come only from its own pages (src/server/cross-site.ts).
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/v1/admin/')) refuseCrossSite(request, config.publicUrl);
  });

  // Text no event, key or column can hold (a lone surrogate, NUL) is refused at the door, except
  // where a route judges its text itself.
  app.addHook('preValidation', async (request) => {
    const body = Buffer.isBuffer(request.body) ? null : request.body;
    if (nestingDepth(body, MAX_NESTING) > MAX_NESTING)
      throw new HttpError(400, 'too_deep', `The request nests deeper than ${MAX_NESTING} levels.`);
    if (OWN_TEXT_CHECKS.has(request.routeOptions.url ?? '')) return;
    if (![request.params, request.query, body].every(isWellFormedText))
      throw new HttpError(
        400,
        'invalid_text',
        'The request holds text that cannot be stored (a NUL character or broken Unicode).',
      );
  });

  // Every route the app answers, for the tests that must cover each one (access, fuzzing).
  const routeTable: RouteSummary[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url });
  });

  syncRoutes(app, ctx);
  publicRoutes(app, ctx);
  blobRoutes(app, ctx);
  adminRoutes(app, ctx);
  dutyRoutes(app, ctx);

  const staticDir = options.staticDir ? resolve(options.staticDir) : undefined;
  const serveApp = staticDir !== undefined && existsSync(resolve(staticDir, 'index.html'));
  if (serveApp) {
    await app.register(fastifyStatic, {
      root: staticDir,
      prefix: '/',
      wildcard: true,
      index: ['index.html'],
      cacheControl: false,
      setHeaders(reply, path) {
        if (path.endsWith('index.html') || path.endsWith('/sw.js')) {
          reply.header('Cache-Control', 'no-cache');
        } else if (/[/\\]assets[/\\]/.test(path)) {
          reply.header('Cache-Control', 'public, max-age=31536000, immutable');
        } else {
          reply.header('Cache-Control', 'public, max-age=3600');
        }
      },
    });
  }

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (serveApp && read && !path.startsWith('/api/') && APP_PATH.test(path)) {
      return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
    }
    return reply
      .code(404)
      .send({ error: 'not_found', message: `There is nothing at ${request.method} ${path}.` });
  });

  return app;
}
