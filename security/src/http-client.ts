import { Agent, request } from 'node:http';

/** An answer as the suite checks it. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends one request over a keep-alive agent. `headers` may be an object (arrays become repeated
 * header lines) or a flat `[name, value, name, value, ...]` list, as Node's rawHeaders.
 */
export function send(
  agent: Agent,
  url: string,
  method: string,
  headers: Record<string, string | string[]> | string[],
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: Array.isArray(headers) ? fromRaw(headers) : headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A keep-alive agent with at most `sockets` connections. */
export function keepAliveAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets });
}

/** A rawHeaders-style list as an object: a name given several times becomes repeated header lines. */
function fromRaw(raw: string[]): Record<string, string | string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) (out[raw[i]!.toLowerCase()] ??= []).push(raw[i + 1]!);
  return Object.fromEntries(
    Object.entries(out).map(([name, values]) => [name, values.length === 1 ? values[0]! : values]),
  );
}
