/**
 * Policy documents written as text: YAML (what Pomerium's configuration holds) or JSON (which is
 * YAML too, but whose authors deserve a JSON error message when they get it wrong).
 */
import { policyError } from './document-values.js';
import { yamlModule } from './yaml-module.cjs';

// Aliases are expanded at most this many times: a few anchors reused across rules are usual;
// thousands are an expansion bomb.
const MAX_ALIAS_COUNT = 100;

/**
 * The value written in `text`. Throws a `PomeriumAuthConfigError` for `option` naming the line
 * and column of the first error. Duplicate keys are errors (as in Pomerium's YAML decoder), merge
 * keys (`<<`) work, and a tag YAML's core schema does not know is refused.
 */
export function parsePolicyText(text: string, option: string): unknown {
  const looksLikeJson = /^\s*[[{]/.test(text);
  const doc = yamlModule().parseDocument(text, {
    uniqueKeys: true,
    merge: true,
    prettyErrors: true,
  });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) {
    const at = problem.linePos?.[0];
    const where = at ? `line ${at.line}, column ${at.col}` : 'somewhere';
    const message = firstLine(problem.message);
    if (looksLikeJson && doc.errors.length > 0) {
      const json = jsonError(text);
      if (json !== undefined)
        policyError(option, `is not valid JSON (${json}; YAML reader: ${where})`);
    }
    policyError(option, `is not valid YAML: ${where}: ${message}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    policyError(option, `is not valid YAML: ${firstLine((err as Error).message)}`);
  }
  if (value === null || value === undefined)
    policyError(option, 'is empty: write at least one rule');
  return value;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** JSON.parse's complaint about `text`, or `undefined` when JSON.parse accepts it. */
function jsonError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
