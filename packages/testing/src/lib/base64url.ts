/** Encodes bytes or UTF-8 text as unpadded base64url, the encoding of every JWS segment. */
export function base64url(input: Uint8Array | string): string {
  return (
    typeof input === 'string'
      ? Buffer.from(input, 'utf8')
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  ).toString('base64url');
}
