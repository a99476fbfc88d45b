import type { PolicyExplanation } from '@pomerium-auth/core';

/**
 * Each policy of an explain answer with what decided it: the operators of the deciding side, and
 * under each its criteria, with their paths in the document and Pomerium's reasons.
 *
 * ```
 * policy "finance.yaml" refuses: groups-unauthorized
 *   policy[0].allow.and  does not hold
 *     policy[0].allow.and[0]  groups     fails  groups-unauthorized
 *     policy[0].allow.and[1]  http_path  holds  http-path-ok
 * ```
 */
export function formatPolicies(policies: readonly PolicyExplanation[], indent: string): string {
  let out = '';
  for (const p of policies) {
    const reasons = p.reasons.length > 0 ? p.reasons.join(', ') : 'no reasons';
    out += `${indent}policy "${p.name}" ${p.allowed ? 'allows' : 'refuses'}: ${reasons}\n`;
    if (p.decidedBy.length === 0) {
      out += `${indent}  no allow rule in it: a document that allows nothing refuses everything\n`;
      continue;
    }
    for (const op of p.decidedBy) {
      out += `${indent}  ${op.path}  ${op.matched ? 'holds' : 'does not hold'}\n`;
      const pathWidth = Math.max(...op.criteria.map((c) => c.path.length));
      const nameWidth = Math.max(...op.criteria.map((c) => c.criterion.length));
      for (const c of op.criteria) {
        out += `${indent}    ${c.path.padEnd(pathWidth)}  ${c.criterion.padEnd(nameWidth)}  ${c.matched ? 'holds' : 'fails'}  ${c.reason}\n`;
      }
    }
  }
  return out;
}
