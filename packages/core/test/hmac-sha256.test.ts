import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createSecretKey } from 'node:crypto';
import fc from 'fast-check';
import { verifyJwsSignature } from '@pomerium-auth/core';

// HS256 is computed from precomputed key pads and two one-shot SHA-256 digests, not createHmac:
// these tests hold it to RFC 4231 and to createHmac itself.

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** RFC 4231 section 4 test cases (HMAC-SHA-256 outputs); case 5 is truncated output, not applicable. */
const RFC_4231 = [
  {
    name: '1: 20-byte key',
    key: hex('0b'.repeat(20)),
    data: Buffer.from('Hi There'),
    mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  },
  {
    name: '2: short key',
    key: Buffer.from('Jefe'),
    data: Buffer.from('what do ya want for nothing?'),
    mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    name: '3: 0xdd data',
    key: hex('aa'.repeat(20)),
    data: hex('dd'.repeat(50)),
    mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
  },
  {
    name: '4: 25-byte key',
    key: hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
    data: hex('cd'.repeat(50)),
    mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
  },
  {
    name: '6: 131-byte key, hashed first',
    key: hex('aa'.repeat(131)),
    data: Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
  {
    name: '7: 131-byte key, long data',
    key: hex('aa'.repeat(131)),
    data: Buffer.from(
      'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    ),
    mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
];

describe('HS256 signatures (HMAC-SHA256)', () => {
  for (const v of RFC_4231) {
    test(`RFC 4231 case ${v.name}`, () => {
      const key = createSecretKey(v.key);
      const text = v.data.toString('latin1');
      assert.equal(verifyJwsSignature('HS256', text, hex(v.mac), key), true);
      const wrong = hex(v.mac);
      wrong[31]! ^= 1;
      assert.equal(verifyJwsSignature('HS256', text, wrong, key), false);
    });
  }

  test('agrees with createHmac for any key and any message, including messages that outgrow its buffer', () => {
    const text = fc.oneof(
      fc.string({
        unit: fc.constantFrom(
          ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.',
        ),
        maxLength: 3000,
      }),
      fc.integer({ min: 60_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), text, (keyBytes, message) => {
        const key = createSecretKey(keyBytes);
        const mac = createHmac('sha256', key).update(message, 'latin1').digest();
        assert.equal(verifyJwsSignature('HS256', message, mac, key), true);
        mac[0]! ^= 0x80;
        assert.equal(verifyJwsSignature('HS256', message, mac, key), false);
      }),
      { numRuns: 300 },
    );
  });

  test('a MAC of the wrong length is false, not an exception', () => {
    const key = createSecretKey(Buffer.alloc(32, 7));
    const mac = createHmac('sha256', key).update('a.b', 'latin1').digest();
    assert.equal(verifyJwsSignature('HS256', 'a.b', mac.subarray(0, 31), key), false);
    assert.equal(
      verifyJwsSignature('HS256', 'a.b', Buffer.concat([mac, Buffer.alloc(1)]), key),
      false,
    );
    assert.equal(verifyJwsSignature('HS256', 'a.b', Buffer.alloc(0), key), false);
  });
});
