import { test, describe, after, before } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  createPomeriumAuth,
  directoryLookup,
  namespaceLookup,
  PomeriumAuthError,
  RECORD_TYPES,
  serviceAccountLookup,
  type RecordsSource,
  type RecordsSourceOptions,
} from '@pomerium-auth/core';
import { serviceAccountHeaders } from '@pomerium-auth/testing';
import { issuer as testIssuer, request } from './fixtures.js';
import { tar, zip, type TarEntry, type ZipEntry } from './records-archive-writer.js';
import { replaceFile, sourceOpener, waitFor } from './records-fixtures.js';

// ---------------------------------------------------------------------------------------------
// Fixtures: archives written to a temporary directory and read back through a source.

let tmp: string;
let serial = 0;
const opener = sourceOpener();
const open = opener.open;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'records-archives-'));
});
after(async () => {
  opener.closeAll();
  await rm(tmp, { recursive: true, force: true });
});

/** Writes `bytes` to a new file named `name` and loads it once. */
async function load(
  bytes: Buffer,
  name = 'bundle',
  options: Partial<RecordsSourceOptions> = {},
): Promise<{ source: RecordsSource; warnings: string[]; path: string }> {
  const path = join(tmp, `${++serial}-${name}`);
  await replaceFile(path, bytes);
  const opened = open({ url: path, minDelay: 3600, ...options });
  await opened.source.ready();
  return { ...opened, path };
}

const ACCOUNTS = [{ id: 'sa-1', user_id: 'bot', namespace_id: 'ns-eng', description: 'CI' }];
const ACCOUNTS_JSON = JSON.stringify(ACCOUNTS);
const USERS_CSV = 'id,email,display_name,group_ids\nbot,Bot@Example.com,Bot,"g1,g2"\n';
const NAMESPACES_JSON = JSON.stringify([
  { id: 'root', parent_id: '', name: 'Global' },
  { id: 'ns-eng', parent_id: 'root', name: 'Engineering' },
]);

const standard: TarEntry[] = [
  { path: 'service-accounts.json', data: ACCOUNTS_JSON },
  { path: 'directory/', type: '5' },
  { path: 'directory/users.csv', data: USERS_CSV },
];
const standardZip: ZipEntry[] = standard.map((e) => ({ path: e.path, data: e.data ?? '' }));
const STANDARD_TYPES = ['service-accounts', 'directory/users'];

// ---------------------------------------------------------------------------------------------

describe('archives: each format', () => {
  const longDir = `${'deeply-nested-folder/'.repeat(6)}namespaces`;
  const formats: Array<[string, string, () => Buffer, string[]]> = [
    ['a POSIX ustar tar', 'bundle.tar', () => tar(standard), STANDARD_TYPES],
    [
      'a GNU tar with a long name',
      'bundle.tar',
      () =>
        tar([...standard, { path: `${longDir}.json`, data: NAMESPACES_JSON, gnuLongName: true }], {
          format: 'gnu',
        }),
      [...STANDARD_TYPES, longDir],
    ],
    [
      'a ustar tar with a long name in its prefix field',
      'bundle.tar',
      () => tar([...standard, { path: `${longDir}.json`, data: NAMESPACES_JSON }]),
      [...STANDARD_TYPES, longDir],
    ],
    [
      'a pax tar (path in an extended header)',
      'bundle.tar',
      () =>
        tar([
          ...standard,
          { path: `${longDir}.json`, data: NAMESPACES_JSON, pax: { mtime: '1700000000.5' } },
        ]),
      [...STANDARD_TYPES, longDir],
    ],
    ['a .tar.gz', 'bundle.tar.gz', () => gzipSync(tar(standard)), STANDARD_TYPES],
    ['a .tgz', 'bundle.tgz', () => gzipSync(tar(standard)), STANDARD_TYPES],
    [
      'a gzip-compressed tar without any extension (magic bytes)',
      'bundle',
      () => gzipSync(tar(standard)),
      STANDARD_TYPES,
    ],
    [
      'a tar of gzip-compressed files (.json.gz, .csv.gz)',
      'bundle.tar',
      () =>
        tar([
          { path: 'service-accounts.json.gz', data: gzipSync(ACCOUNTS_JSON) },
          { path: 'directory/users.csv.gz', data: gzipSync(USERS_CSV) },
        ]),
      STANDARD_TYPES,
    ],
    [
      'a zip of deflated entries with data descriptors (as Go writes them)',
      'bundle.zip',
      () => zip(standardZip),
      STANDARD_TYPES,
    ],
    [
      'a zip of stored entries without data descriptors',
      'bundle.zip',
      () => zip(standardZip.map((e) => ({ ...e, method: 'store', dataDescriptor: false }))),
      STANDARD_TYPES,
    ],
    ['a zip64', 'bundle.zip', () => zip(standardZip, { zip64: true }), STANDARD_TYPES],
    [
      'a zip with zip64 end records it did not need',
      'bundle.zip',
      () => zip(standardZip, { zip64: 'end-records' }),
      STANDARD_TYPES,
    ],
    [
      'a zip with a comment',
      'bundle.zip',
      () => zip(standardZip, { comment: 'made by a test' }),
      STANDARD_TYPES,
    ],
    [
      'a zip of gzip-compressed files',
      'bundle.zip',
      () =>
        zip([
          { path: 'service-accounts.json.gz', data: gzipSync(ACCOUNTS_JSON), method: 'store' },
          { path: 'directory/users.CSV.GZ', data: gzipSync(USERS_CSV) },
        ]),
      STANDARD_TYPES,
    ],
    [
      'a gzip-compressed zip without any extension',
      'bundle',
      () => gzipSync(zip(standardZip)),
      STANDARD_TYPES,
    ],
  ];
  for (const [name, file, build, types] of formats) {
    test(`reads ${name}: one record type per file, named by its path`, async () => {
      const { source, warnings } = await load(build(), file);
      assert.deepEqual(warnings, []);
      assert.equal(source.version, 1);
      assert.deepEqual(source.recordTypes, types);
      assert.deepEqual(source.get('sa-1', 'service-accounts'), ACCOUNTS[0]);
      assert.deepEqual(source.get('bot', 'directory/users'), {
        id: 'bot',
        email: 'Bot@Example.com',
        display_name: 'Bot',
        group_ids: 'g1,g2',
      });
      if (types.includes(longDir)) assert.equal(source.all(longDir).length, 2);
    });
  }

  test("reads Pomerium's own directory bundle (pomerium.io/DirectoryUser and DirectoryGroup), with group names", async () => {
    // As github.com/pomerium/datasource serves it: a zip of <record type>.json files.
    const bundle = zip([
      {
        path: 'pomerium.io/DirectoryGroup.json',
        data: JSON.stringify([
          { id: 'g1', name: 'admins', email: 'admins@example.com' },
          { id: 'g2', name: 'support' },
        ]),
      },
      {
        path: 'pomerium.io/DirectoryUser.json',
        data: JSON.stringify([
          {
            id: 'u1',
            group_ids: ['g1', 'g2', 'g9'],
            display_name: 'Ann',
            email: 'ann@example.com',
          },
        ]),
      },
    ]);
    const { source, warnings } = await load(bundle, 'bundle.zip');
    assert.deepEqual(warnings, []);
    assert.deepEqual(source.recordTypes, [
      'pomerium.io/DirectoryGroup',
      'pomerium.io/DirectoryUser',
    ]);
    assert.deepEqual(directoryLookup(source)('ANN@example.com'), {
      id: 'u1',
      email: 'ann@example.com',
      name: 'Ann',
      groups: ['g1', 'g2', 'g9', 'admins', 'support'],
    });
  });

  test('skips directories, files of other extensions and macOS metadata, and a leading ./', async () => {
    const { source, warnings } = await load(
      tar([
        { path: './', type: '5' },
        { path: './service-accounts.json', data: ACCOUNTS_JSON },
        { path: './README.md', data: '# not records' },
        { path: './._service-accounts.json', data: '\u0000\u0005\u0016\u0007 binary' },
        { path: '__MACOSX/._users.csv', data: 'junk' },
        { path: 'notes.txt', data: 'id\nnot-a-record-file' },
      ]),
      'bundle.tar',
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(source.recordTypes, ['service-accounts']);
  });

  test('reads a .tar.gz made by the tar command, with ./ paths (skipped when tar is missing)', async (t) => {
    const dir = join(tmp, 'made-by-tar');
    await mkdir(join(dir, 'directory'), { recursive: true });
    await writeFile(join(dir, 'service-accounts.json'), ACCOUNTS_JSON);
    await writeFile(join(dir, 'directory', 'users.csv'), USERS_CSV);
    await writeFile(join(dir, 'namespaces.json.gz'), gzipSync(NAMESPACES_JSON));
    const archive = join(tmp, 'made-by-tar.tgz');
    const made = spawnSync('tar', ['-czf', archive, '-C', dir, '.'], { encoding: 'utf8' });
    if (made.error) return t.skip('no tar command');
    assert.equal(made.status, 0, made.stderr);
    const { source, warnings } = open({ url: archive, minDelay: 3600 });
    await source.ready();
    assert.deepEqual(warnings, []);
    assert.deepEqual([...(source.recordTypes ?? [])].sort(), [
      'directory/users',
      'namespaces',
      'service-accounts',
    ]);
    assert.deepEqual(namespaceLookup(source)('ns-eng'), { id: 'ns-eng', parentId: 'root' });
  });

  test('reads a zip made by the zip command (skipped when zip is missing)', async (t) => {
    const dir = join(tmp, 'made-by-zip');
    await mkdir(join(dir, 'directory'), { recursive: true });
    await writeFile(join(dir, 'service-accounts.json'), ACCOUNTS_JSON);
    await writeFile(join(dir, 'directory', 'users.csv'), USERS_CSV);
    const made = spawnSync('zip', ['-r', '-X', '../made-by-zip.zip', '.'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (made.error) return t.skip('no zip command');
    assert.equal(made.status, 0, made.stderr);
    const { source, warnings } = open({ url: join(tmp, 'made-by-zip.zip'), minDelay: 3600 });
    await source.ready();
    assert.deepEqual(warnings, []);
    assert.deepEqual([...(source.recordTypes ?? [])].sort(), STANDARD_TYPES.slice().sort());
  });
});

describe('archives: one source, several options', () => {
  test('serviceAccounts and directory read their own record types from one archive', async () => {
    const issuer = await testIssuer();
    after(() => issuer.close());
    const { source } = await load(zip(standardZip), 'bundle.zip');
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      serviceAccounts: source,
      directory: source,
      audit: false,
      logger: { warn: () => undefined },
    });
    const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
    const identity = await auth.authenticate(request(serviceAccountHeaders(token)));
    assert.equal(identity?.user.serviceAccountId, 'sa-1');
    assert.equal(identity?.user.email, 'Bot@Example.com', 'email from directory/users');
    assert.deepEqual(identity?.user.groups, ['g1', 'g2']);

    const unknown = issuer.mintServiceAccountToken({ id: 'bot', userId: 'bot' });
    await assert.rejects(auth.authenticate(request(serviceAccountHeaders(unknown))), (err) => {
      assert.ok(err instanceof PomeriumAuthError);
      assert.equal(err.reason, 'unknown_service_account', 'a user id is not an account id');
      return true;
    });
  });

  test('each lookup takes the first of its accepted type names; every name works', async () => {
    assert.deepEqual(RECORD_TYPES.serviceAccounts, [
      'service-accounts',
      'type.googleapis.com/user.ServiceAccount',
    ]);
    for (const accounts of RECORD_TYPES.serviceAccounts) {
      for (const users of RECORD_TYPES.directory) {
        for (const namespaces of RECORD_TYPES.namespaces) {
          const { source, warnings } = await load(
            tar([
              { path: `${accounts}.json`, data: ACCOUNTS_JSON },
              { path: `${users}.csv`, data: USERS_CSV },
              { path: `${namespaces}.json`, data: NAMESPACES_JSON },
            ]),
            'bundle.tar',
          );
          const where = `${accounts} / ${users} / ${namespaces}`;
          assert.deepEqual(warnings, [], where);
          assert.equal(serviceAccountLookup(source)('sa-1')?.userId, 'bot', where);
          assert.equal(directoryLookup(source)('bot')?.email, 'Bot@Example.com', where);
          assert.deepEqual(namespaceLookup(source)('ns-eng'), { id: 'ns-eng', parentId: 'root' });
        }
      }
    }
  });

  test('a plain JSON or CSV source has no type and serves any option', async () => {
    const { source } = await load(Buffer.from(ACCOUNTS_JSON), 'anything.json');
    assert.equal(source.recordTypes, undefined);
    assert.deepEqual(source.get('sa-1', 'whatever'), ACCOUNTS[0]);
    assert.deepEqual(source.get('sa-1'), ACCOUNTS[0]);
    assert.equal(serviceAccountLookup(source)('sa-1')?.userId, 'bot');
    assert.equal(namespaceLookup(source)('sa-1')?.id, 'sa-1');
  });

  test('an archive answers only for a type it holds: nothing without a type, nothing of another type', async () => {
    const { source } = await load(tar(standard), 'bundle.tar');
    assert.equal(source.get('sa-1'), undefined);
    assert.deepEqual(source.all(), []);
    assert.equal(source.get('sa-1', 'directory/users'), undefined);
    assert.equal(source.get('sa-1', 'no-such-type'), undefined);
    assert.deepEqual(source.all('no-such-type'), []);
  });

  test('a lookup whose records the archive lacks throws (a 503 through createPomeriumAuth), never an empty answer', async () => {
    const issuer = await testIssuer();
    after(() => issuer.close());
    const { source } = await load(
      tar([{ path: 'directory/users.csv', data: USERS_CSV }]),
      'bundle.tar',
    );
    assert.throws(
      () => serviceAccountLookup(source)('sa-1'),
      /holds no service-account records \("service-accounts" or "type.googleapis.com\/user.ServiceAccount"\); it holds "directory\/users"/,
    );
    assert.throws(() => namespaceLookup(source)('root'), /holds no namespace records/);
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      serviceAccounts: source,
      cache: false,
      audit: false,
      logger: { warn: () => undefined },
    });
    const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
    await assert.rejects(auth.authenticate(request(serviceAccountHeaders(token))), (err) => {
      assert.ok(err instanceof PomeriumAuthError);
      assert.deepEqual([err.status, err.reason], [503, 'lookup_failed']);
      return true;
    });
  });

  test('a reload may turn a plain payload into an archive and back', async () => {
    const path = join(tmp, 'switching');
    await replaceFile(path, ACCOUNTS_JSON);
    const { source, warnings } = open({ url: path, minDelay: 0.02, maxDelay: 0.05 });
    await source.ready();
    assert.equal(source.recordTypes, undefined);
    await replaceFile(path, gzipSync(tar(standard)));
    await waitFor(() => source.version === 2, 'the archive');
    assert.deepEqual(source.recordTypes, STANDARD_TYPES);
    assert.equal(source.get('sa-1'), undefined);
    await replaceFile(path, ACCOUNTS_JSON.replace('bot', 'robot'));
    await waitFor(() => source.version === 3, 'the plain payload again');
    assert.equal(source.recordTypes, undefined);
    assert.equal(serviceAccountLookup(source)('sa-1')?.userId, 'robot');
    assert.deepEqual(warnings, []);
  });
});

// ---------------------------------------------------------------------------------------------

describe('archives: attacks and damage are failed loads (the last good copy is kept)', () => {
  const good = tar(standard);
  const many = (n: number): TarEntry[] =>
    Array.from({ length: n }, (_, i) => ({ path: `d${i}/`, type: '5' }));
  const bomb = gzipSync(Buffer.alloc(10_000_000, 0x20)); // 10 MB of spaces in 10 KB
  const MAX_BYTES = 8_000_000;
  const truncate = (bytes: Buffer, keep: number): Buffer => bytes.subarray(0, keep);

  const attacks: Array<[string, () => Buffer, RegExp]> = [
    // path tricks
    [
      'a tar path climbing out with ../',
      () => tar([{ path: '../users.json', data: '[]' }]),
      /climbs out/,
    ],
    [
      'a tar path climbing out in the middle',
      () => tar([{ path: 'a/../../users.json', data: '[]' }]),
      /climbs out/,
    ],
    ['an absolute tar path', () => tar([{ path: '/etc/users.json', data: '[]' }]), /is absolute/],
    [
      'a tar path with a backslash',
      () => tar([{ path: 'dir\\users.json', data: '[]' }]),
      /backslash/,
    ],
    [
      'a tar path with a drive letter',
      () => tar([{ path: 'C:/users.json', data: '[]' }]),
      /drive letter/,
    ],
    [
      'a tar path with an empty segment',
      () => tar([{ path: 'directory//users.json', data: '[]' }]),
      /empty segment/,
    ],
    [
      'a tar path with a . segment',
      () => tar([{ path: 'directory/./users.json', data: '[]' }]),
      /"\." segment/,
    ],
    [
      'a tar path with a control character',
      () => tar([{ path: 'users\u0001.json', data: '[]' }]),
      /control character/,
    ],
    [
      'a zip path climbing out with ../ (zip slip)',
      () => zip([{ path: '../../users.json', data: '[]' }]),
      /climbs out/,
    ],
    ['an absolute zip path', () => zip([{ path: '/users.json', data: '[]' }]), /is absolute/],
    [
      'a zip path with backslashes',
      () => zip([{ path: '..\\users.json', data: '[]' }]),
      /backslash/,
    ],
    // links and special files
    [
      'a tar symbolic link',
      () => tar([{ path: 'service-accounts.json', type: '2', linkname: '/etc/passwd' }]),
      /symbolic link/,
    ],
    [
      'a tar hard link',
      () => tar([{ path: 'service-accounts.json', type: '1', linkname: 'other.json' }]),
      /hard link/,
    ],
    ['a tar character device', () => tar([{ path: 'users.json', type: '3' }]), /device/],
    ['a tar FIFO', () => tar([{ path: 'users.json', type: '6' }]), /FIFO/],
    [
      'a tar entry of unknown type',
      () => tar([{ path: 'users.json', type: 'S' }]),
      /unsupported type/,
    ],
    [
      'a zip symbolic link (Unix mode)',
      () => zip([{ path: 'service-accounts.json', data: '/etc/passwd', mode: 0o120777 }]),
      /symbolic link/,
    ],
    [
      'a zip FIFO (Unix mode)',
      () => zip([{ path: 'users.json', data: '', mode: 0o010644 }]),
      /special file/,
    ],
    // sizes, bombs and budgets
    [
      'an outer gzip bomb (tar.gz expanding past maxBytes)',
      () => gzipSync(Buffer.concat([tar(standard, { end: false }), Buffer.alloc(10_000_000)])),
      /decompressed payload larger than maxBytes \(8000000\)/,
    ],
    [
      'a gzip bomb inside a tar',
      () => tar([{ path: 'users.json.gz', data: bomb }]),
      /users.json.gz: decompressed payload larger than maxBytes/,
    ],
    [
      'a gzip bomb inside a zip',
      () => zip([{ path: 'users.csv.gz', data: bomb, method: 'store' }]),
      /users.csv.gz: decompressed payload larger than maxBytes/,
    ],
    [
      'zip entries together inflating past maxBytes',
      () => zip([0, 1, 2].map((i) => ({ path: `t${i}.json`, data: `[${' '.repeat(3_000_000)}]` }))),
      /decompressed content larger than maxBytes/,
    ],
    [
      'a zip entry inflating to more than it declares',
      () => zip([{ path: 'users.json', data: '[{"id":"a"}]', declaredSize: 5 }]),
      /inflates to more than its declared size/,
    ],
    [
      'a zip entry inflating to less than it declares',
      () => zip([{ path: 'users.json', data: '[{"id":"a"}]', declaredSize: 50 }]),
      /inflates to less than its declared size/,
    ],
    [
      'a zip entry declaring a ratio deflate cannot reach',
      () => zip([{ path: 'users.json', data: '[]', declaredSize: 100_000_000 }]),
      /size deflate cannot reach/,
    ],
    [
      'a stored zip entry with two sizes',
      () => zip([{ path: 'users.json', data: '[]', method: 'store', declaredSize: 3 }]),
      /stored with two different sizes/,
    ],
    [
      'overlapping zip entries (the overlapping-files bomb)',
      () =>
        zip([
          { path: 'a.json', data: '[]' },
          { path: 'a.json', data: '[]', sharesLocalOf: 0 },
        ]),
      /overlaps another entry/,
    ],
    [
      'a zip entry reusing the data of another under its own name',
      () =>
        zip([
          { path: 'a.json', data: '[]' },
          { path: 'b.json', data: '[]', sharesLocalOf: 0 },
        ]),
      /disagrees with the directory/,
    ],
    [
      'a tar entry declaring more than the archive holds',
      () => tar([{ path: 'users.json', data: '[]', declaredSize: 1_000_000_000 }]),
      /truncated tar archive/,
    ],
    [
      'a pax size larger than the archive',
      () => tar([{ path: 'users.json', data: '[]', pax: { size: '99999999' } }]),
      /truncated tar archive/,
    ],
    // counts
    ['a tar of 10 001 entries', () => tar(many(10_001)), /more than 10000 entries/],
    [
      'a zip declaring 20 000 entries',
      () => zip([{ path: 'users.json', data: '[]' }], { declaredCount: 20_000 }),
      /more than 10000 entries/,
    ],
    // truncation and damage
    ['a truncated tar (cut inside an entry)', () => truncate(good, 700), /truncated tar archive/],
    [
      'a tar without its end-of-archive marker',
      () => tar(standard, { end: false }),
      /no end-of-archive marker/,
    ],
    [
      'a tar with data after its end marker',
      () => tar(standard, { trailing: Buffer.from('[{"id":"smuggled"}]') }),
      /data after its end-of-archive marker/,
    ],
    [
      'a tar header with a wrong checksum',
      () => tar([...standard.slice(0, 1), { path: 'x.json', data: '[]', badChecksum: true }]),
      /wrong checksum/,
    ],
    [
      'a truncated zip (no end record)',
      () => truncate(zip(standardZip), 120),
      /no end of central directory/,
    ],
    ['a truncated .tar.gz', () => truncate(gzipSync(tar(standard)), 60), /invalid gzip data/],
    [
      'a zip entry with a wrong CRC-32',
      () => zip([{ path: 'users.json', data: '[{"id":"a"}]', crc: 1234 }]),
      /CRC-32/,
    ],
    [
      'an encrypted zip entry',
      () => zip([{ path: 'users.json', data: '[]', encrypted: true }]),
      /encrypted/,
    ],
    [
      'a zip entry of another compression method',
      () => zip([{ path: 'users.json', data: '[]', methodId: 12 }]),
      /compression method 12/,
    ],
    [
      'a zip whose local header names another file',
      () => zip([{ path: 'users.json', data: '[]', localName: 'other.json' }]),
      /disagrees with the directory/,
    ],
    ['a multi-disk zip', () => zip([{ path: 'users.json', data: '[]', disk: 1 }]), /multi-disk/],
    // duplicates, ambiguity, contents
    [
      'a tar holding one path twice',
      () =>
        tar([
          { path: 'users.json', data: '[]' },
          { path: 'users.json', data: '[{"id":"x"}]' },
        ]),
      /holds "users.json" twice/,
    ],
    [
      'a zip holding one path twice',
      () =>
        zip([
          { path: 'users.json', data: '[]' },
          { path: './users.json', data: '[]' },
        ]),
      /holds "users.json" twice/,
    ],
    [
      'two files of one record type',
      () =>
        tar([
          { path: 'users.json', data: '[]' },
          { path: 'users.csv.gz', data: gzipSync('id\n') },
        ]),
      /both of record type "users"/,
    ],
    [
      'two names of the same records',
      () =>
        tar([
          { path: 'users.json', data: '[]' },
          { path: 'directory/users.csv', data: 'id\n' },
        ]),
      /holds both "directory\/users" and "users"/,
    ],
    [
      'an archive without any records file',
      () => tar([{ path: 'README.md', data: 'hello' }]),
      /holds no \.json or \.csv file/,
    ],
    [
      'a records file that is not valid JSON',
      () => tar([{ path: 'service-accounts.json', data: '[{"id":' }]),
      /service-accounts.json: payload is not valid JSON/,
    ],
    [
      'a records file whose record lacks an id',
      () => zip([{ path: 'directory/users.csv', data: 'email\na@x.io\n' }]),
      /directory\/users.csv: CSV header has no "id" column/,
    ],
    [
      'a records file named only by its extension',
      () => tar([{ path: 'dir/.json', data: '[]' }]),
      /names no record type/,
    ],
    [
      'a tar name that is not UTF-8',
      () => {
        const t = tar([{ path: 'users.json', data: '[]' }]);
        t[0] = 0xff;
        const sum = [...t.subarray(0, 512)].reduce(
          (a, b, i) => a + (i >= 148 && i < 156 ? 32 : b),
          0,
        );
        t.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
        return t;
      },
      /not UTF-8/,
    ],
  ];

  for (const [name, build, reason] of attacks) {
    test(`refuses ${name}`, async () => {
      const path = join(tmp, `attack-${++serial}`);
      await replaceFile(path, good);
      const { source, warnings } = open({
        url: path,
        minDelay: 0.02,
        maxDelay: 0.05,
        maxBytes: MAX_BYTES,
      });
      await source.ready();
      assert.equal(source.version, 1);
      await replaceFile(path, build());
      await waitFor(() => warnings.length > 0, 'a warning');
      assert.match(warnings[0]!, reason);
      assert.match(warnings[0]!, /keeping the last good copy \(2 records\)/);
      assert.equal(source.version, 1);
      assert.deepEqual(source.recordTypes, STANDARD_TYPES);
      assert.deepEqual(source.get('sa-1', 'service-accounts'), ACCOUNTS[0]);
    });
  }

  test('an archive that is refused at the first load leaves the source empty, and ready() resolves', async () => {
    const { source, warnings } = await load(tar([{ path: '../x.json', data: '[]' }]), 'x.tar');
    assert.equal(source.version, 0);
    assert.equal(source.recordTypes, undefined);
    assert.match(warnings[0]!, /climbs out with "\.\."; no records loaded yet/);
  });
});

describe('archives: damaged anywhere, a load never throws, hangs or half-loads', () => {
  const pristine: Array<[string, Buffer]> = [
    ['tar', tar(standard)],
    ['pax tar', tar([{ path: 'service-accounts.json', data: ACCOUNTS_JSON, pax: {} }])],
    ['zip', zip(standardZip)],
    ['stored zip', zip(standardZip.map((e) => ({ ...e, method: 'store' as const })))],
    ['zip64', zip(standardZip, { zip64: true })],
    ['tar.gz', gzipSync(tar(standard))],
  ];
  test(
    'random byte changes and truncations of each format: a refused load is one warning, a loaded one lost no file',
    { timeout: 120_000 },
    async () => {
      const outcomes = { loaded: 0, refused: 0 };
      const path = join(tmp, 'fuzzed');
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...pristine),
          fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
            minLength: 0,
            maxLength: 3,
          }),
          fc.option(fc.nat(), { nil: undefined }),
          async ([format, original], changes, cut) => {
            const bytes = Buffer.from(original);
            for (const { at, byte } of changes) bytes[at % bytes.length] = byte;
            const damaged = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
            await replaceFile(path, damaged);
            const { source, warnings } = open({ url: path, minDelay: 3600, maxBytes: 1_000_000 });
            await source.ready();
            source.close();
            if (source.version === 1) {
              outcomes.loaded++;
              assert.deepEqual(warnings, []);
              // Headers are checksummed (tar) or agree with the central directory (zip): no
              // damage that still loads can lose or rename a file. Only pax paths are unprotected.
              if (format !== 'pax tar') assert.deepEqual(source.recordTypes, STANDARD_TYPES);
              // CRC-32 covers a zip's contents: what loads is what was written.
              if (format.includes('zip')) {
                assert.deepEqual(source.all('service-accounts'), ACCOUNTS);
                assert.equal(source.all('directory/users').length, 1);
              }
            } else {
              outcomes.refused++;
              assert.equal(source.version, 0);
              assert.equal(warnings.length, 1);
              assert.match(warnings[0]!, /no records loaded yet$/);
            }
          },
        ),
        { numRuns: 300 },
      );
      // Both branches must have run, or the property proved nothing.
      assert.ok(outcomes.loaded > 10, `loaded ${outcomes.loaded}`);
      assert.ok(outcomes.refused > 10, `refused ${outcomes.refused}`);
    },
  );
});
