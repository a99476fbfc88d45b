import type { PomeriumAuthError } from '@pomerium-auth/core';

/** Express's `Response` or Fastify's `FastifyReply`: both have `header`, `status` and `send`; Node's `ServerResponse` has `setHeader`. */
export interface NestHttpResponse {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
  status?(code: number): unknown;
  send?(body: unknown): unknown;
  statusCode?: number;
  end?(body?: string): unknown;
}

/** Puts the error's `WWW-Authenticate` / `Retry-After` headers on an Express or Fastify response. */
export function setErrorHeaders(res: NestHttpResponse, err: PomeriumAuthError): void {
  for (const [name, value] of Object.entries(err.headers)) {
    if (typeof res.header === 'function') res.header(name, value);
    else res.setHeader?.(name, value);
  }
}

/** Answers with the error's status, headers and JSON body `{ error, error_description }`. */
export function writeErrorResponse(res: NestHttpResponse, err: PomeriumAuthError): void {
  setErrorHeaders(res, err);
  const body = err.toJSON();
  if (typeof res.status === 'function' && typeof res.send === 'function') {
    // Express serializes an object with res.json's rules, Fastify with JSON.stringify: the same bytes.
    res.status(err.status);
    res.send(body);
    return;
  }
  res.statusCode = err.status;
  res.setHeader?.('content-type', 'application/json; charset=utf-8');
  res.end?.(JSON.stringify(body));
}
