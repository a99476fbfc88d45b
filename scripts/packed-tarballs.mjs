// The tarballs scripts/pack-packages.mjs wrote to .packs/, for the scripts that check and install
// them (check-packages.mjs, pack-smoke.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's root folder. */
export const root = resolve(new URL('..', import.meta.url).pathname);

/**
 * `[{ name, version, tarball, size, files }]` from .packs/index.json. Without one, the calling
 * script exits and says how to make it.
 */
export function packedTarballs(script) {
  const index = join(root, '.packs', 'index.json');
  if (!existsSync(index)) {
    console.error(`${script}: no .packs/index.json; run node scripts/pack-packages.mjs first`);
    process.exit(1);
  }
  return JSON.parse(readFileSync(index, 'utf8'));
}
