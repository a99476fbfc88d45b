/**
 * Reads a response body into memory, but never more than `maxBytes` of it and never after
 * `signal` has aborted, so that a hostile or broken server can neither fill memory (a huge,
 * endless or compressed body) nor hold the reader (a body that trickles). A `Content-Length`
 * over the bound refuses at once, without reading; the bytes actually read decide in every
 * case, since the header may be absent or wrong, and `fetch` decodes `Content-Encoding` (the
 * bound applies to the decoded bytes). Past the bound, or on abort, the stream is cancelled,
 * which closes the connection: nothing more of the body is received.
 *
 * @throws Error `body larger than maxBytes (<n>)`, or the signal's abort reason.
 * @example
 * ```ts
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(new Error('timed out')), 5000);
 * const response = await fetch(url, { signal: controller.signal });
 * const bytes = await readBoundedBody(response, 1 << 20, controller.signal);
 * ```
 */
export async function readBoundedBody(
  response: Response,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  if (signal?.aborted) {
    discardBody(response);
    throw abortReason(signal);
  }
  const encoding = response.headers.get('content-encoding');
  const declared = Number(response.headers.get('content-length') ?? '');
  // An encoded body's length says little about its decoded size: only the count decides then.
  if ((encoding === null || encoding === 'identity') && declared > maxBytes) {
    discardBody(response);
    throw tooLarge(maxBytes);
  }
  if (response.body === null) return Buffer.alloc(0);
  // Typed as `fetch` delivers it: bytes (the body's declared type leaves the chunks `any`).
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  // Cancelling ends a pending read() with `done`, even when the fetch ignores the signal.
  const stop = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw abortReason(signal);
      if (done) return Buffer.concat(chunks, total);
      total += value.byteLength;
      if (total > maxBytes) {
        stop();
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/**
 * Lets go of a response whose body is not wanted: cancels the stream (closing the connection
 * if the body is still arriving) without waiting for the cancellation to complete.
 *
 * @example
 * ```ts
 * if (!response.ok) discardBody(response);
 * ```
 */
export function discardBody(response: Response): void {
  if (response.body !== null && !response.body.locked)
    void response.body.cancel().catch(() => undefined);
}

function tooLarge(maxBytes: number): Error {
  return new Error(`body larger than maxBytes (${maxBytes})`);
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
