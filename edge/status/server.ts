// The status page's Fastify server and its security: login against the scrypt hash,
// HttpOnly SameSite=Strict session cookies, CSRF tokens and same-origin checks on every
// state-changing request, login rate limiting, helmet headers with a strict CSP (no
// inline script or style), body limits, and generic error bodies. Routes live in routes.ts.
import { timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isFootfallError } from '../shared/errors.ts';
import { loginPage } from './pages.ts';
import { verifyPassword } from './password-file.ts';
import './request-session.ts';
import { registerRoutes } from './routes.ts';
import type { StatusServerDeps } from './server-deps.ts';
import { csrfTokenMatches } from './session-store.ts';

export const SESSION_COOKIE = 'ff_session';
const LOGIN_BODY_LIMIT = 4_096;
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function isPublic(path: string, method: string): boolean {
  return path === '/healthz' || path === '/login' || (method === 'GET' && path.startsWith('/static/')) || path === '/favicon.ico';
}

function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header || !header.startsWith('Bearer ')) return false;
  const a = Buffer.from(header.slice(7));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function wantsJson(req: FastifyRequest): boolean {
  const path = pathOf(req.url);
  return path.startsWith('/api/') || path === '/metrics' || (req.headers['content-type'] ?? '').startsWith('application/json');
}

/** Same-origin check: browsers send Origin on POST/PUT; a mismatch is a cross-site request. */
function crossSite(req: FastifyRequest): boolean {
  // Fetch metadata first: every current browser sends it and it survives referrer policies.
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  const host = req.headers.host;
  if (!host) return true;
  return origin !== `${req.protocol}://${host}`;
}

export async function buildStatusServer(deps: StatusServerDeps): Promise<FastifyInstance> {
  const { config, sessions, metrics } = deps;
  const log = deps.logger.child({ module: 'status.http' });
  const app = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    return503OnClosing: true,
    // Bounded parsing work per request.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  app.decorateRequest('session', null);

  // Forms post url-encoded; parsed here (no extra package), with its own small limit.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: LOGIN_BODY_LIMIT }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Plain HTTP on a LAN by default: HSTS only when cookies are HTTPS-only too.
    strictTransportSecurity: config.secureCookies ? { maxAge: 15_552_000 } : false,
    // same-origin, not no-referrer: with no-referrer Chrome sends `Origin: null` on form posts.
    referrerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  await app.register(rateLimit, { global: false });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/static/', index: false, list: false, dotfiles: 'deny', maxAge: 300_000 });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    const path = pathOf(req.url);
    if (!path.startsWith('/static/')) reply.header('cache-control', 'no-store');
    if (isPublic(path, req.method)) return;
    if (path === '/metrics' && config.metricsToken) {
      if (bearerMatches(req.headers.authorization, config.metricsToken)) return;
    }
    const session = sessions.get(req.cookies[SESSION_COOKIE]);
    if (!session) {
      if (wantsJson(req)) return reply.code(401).send({ error: 'UNAUTHENTICATED', message: 'log in first' });
      return reply.redirect('/login', 303);
    }
    req.session = session;
  });

  // After body parsing, so a form's hidden _csrf field can be read.
  app.addHook('preHandler', async (req, reply) => {
    if (!STATE_CHANGING.has(req.method)) return;
    if (crossSite(req)) return reply.code(403).send({ error: 'CROSS_SITE', message: 'cross-site request refused' });
    if (pathOf(req.url) === '/login') return;
    const body = req.body as Record<string, unknown> | undefined;
    const token = req.headers['x-csrf-token'] ?? (body && typeof body === 'object' ? body._csrf : undefined);
    if (!req.session || !csrfTokenMatches(req.session, token)) {
      return reply.code(403).send({ error: 'CSRF', message: 'missing or wrong CSRF token; reload the page' });
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    metrics.httpRequests.inc({ route: req.routeOptions.url ?? 'unmatched', code: String(reply.statusCode) });
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    if (isFootfallError(err) && (err.code === 'INPUT_INVALID' || err.code === 'CONFIG_INVALID' || err.code === 'CONFIG_PARSE')) {
      return reply.code(400).send({ error: err.code, message: err.message });
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: e.code ?? 'BAD_REQUEST', message: e.message ?? 'bad request' });
    }
    log.error({ err: e.message, url: pathOf(req.url) }, 'status request failed');
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal error' });
  });

  app.setNotFoundHandler((req, reply) => {
    if (wantsJson(req)) return reply.code(404).send({ error: 'NOT_FOUND', message: 'not found' });
    return reply.code(404).type('text/plain; charset=utf-8').send('not found');
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());

  app.get('/login', async (req, reply) => {
    if (sessions.get(req.cookies[SESSION_COOKIE])) return reply.redirect('/', 303);
    return reply.type('text/html; charset=utf-8').send(loginPage(null));
  });

  app.post(
    '/login',
    {
      bodyLimit: LOGIN_BODY_LIMIT,
      config: {
        rateLimit: {
          max: config.loginAttemptsPerMinute,
          timeWindow: 60_000,
          errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, code: 'RATE_LIMITED', error: 'RATE_LIMITED', message: `too many login attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s` }),
        },
      },
    },
    async (req, reply) => {
      const body = req.body as Record<string, unknown> | undefined;
      const password = body && typeof body === 'object' && typeof body.password === 'string' ? body.password : '';
      const ok = password.length > 0 && password.length <= 200 && (await verifyPassword(password, deps.passwordHash));
      metrics.logins.inc({ result: ok ? 'ok' : 'failed' });
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      if (!ok) {
        log.warn({ ip: req.ip }, 'failed status page login');
        if (json) return reply.code(401).send({ error: 'LOGIN_FAILED', message: 'wrong password' });
        return reply.code(401).type('text/html; charset=utf-8').send(loginPage('Wrong password.'));
      }
      sessions.destroy(req.cookies[SESSION_COOKIE]);
      const { id, session } = sessions.create();
      reply.setCookie(SESSION_COOKIE, id, {
        httpOnly: true,
        sameSite: 'strict',
        secure: config.secureCookies,
        path: '/',
        maxAge: config.sessionTtlMinutes * 60,
      });
      log.info({ ip: req.ip }, 'status page login');
      if (json) return reply.send({ ok: true, csrfToken: session.csrfToken });
      return reply.redirect('/', 303);
    },
  );

  app.post('/logout', async (req, reply) => {
    sessions.destroy(req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: config.secureCookies });
    if (wantsJson(req)) return reply.send({ ok: true });
    return reply.redirect('/login', 303);
  });

  app.get('/metrics', async (_req, reply) => {
    return reply.type(deps.registry.contentType).send(await deps.registry.metrics());
  });

  registerRoutes(app, deps);
  return app;
}

export type { FastifyReply };
