import type { HeaderValue, Identity } from '@pomerium-auth/core';

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
