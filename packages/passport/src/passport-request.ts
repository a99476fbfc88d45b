import type { AuthRequest, HeaderValue, Identity } from '@pomerium-auth/core';

/** The request Passport hands a strategy (Express's `Request`, or Fastify's under `@nestjs/passport`). */
export interface PassportRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, HeaderValue>;
  rawHeaders?: string[];
  raw?: { rawHeaders?: string[] };
  ip?: string;
  /** Set on success: the identity, as the Express adapter sets it. */
  pomerium?: Identity;
}

/** Turns the request into the core's framework-free request. */
export function toAuthRequest(req: PassportRequest): AuthRequest {
  const rawHeaders = req.rawHeaders ?? req.raw?.rawHeaders;
  return {
    method: req.method ?? 'GET',
    url: req.originalUrl ?? req.url ?? '/',
    headers: req.headers,
    ...(rawHeaders ? { rawHeaders } : {}),
    ...(req.ip !== undefined ? { ip: req.ip } : {}),
  };
}
