// Shared set-up for the records tests: sources opened with their warnings collected and closed
// after the run, files replaced at once, and bounded waits for what a poll must bring.
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createRecordsSource,
  type RecordsSource,
  type RecordsSourceOptions,
} from '@pomerium-auth/core';

/** Opens sources whose warnings are collected; `closeAll()` closes every one (call it in `after`). */
export function sourceOpener(defaults: Partial<RecordsSourceOptions> = {}): {
  open: (options: RecordsSourceOptions) => { source: RecordsSource; warnings: string[] };
  closeAll: () => void;
} {
  const sources: RecordsSource[] = [];
  return {
    open(options) {
      const warnings: string[] = [];
      const source = createRecordsSource({
        logger: { warn: (m) => warnings.push(m) },
        ...defaults,
        ...options,
      });
      sources.push(source);
      return { source, warnings };
    },
    closeAll() {
      for (const source of sources) source.close();
    },
  };
}

/** Replaces a file at once, as a careful publisher does, so a poll never sees half of it. */
export async function replaceFile(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/** Polls `check` until it holds; fails the test after `ms` (a hang guard, not a timing check). */
export async function waitFor(check: () => boolean, what: string, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
