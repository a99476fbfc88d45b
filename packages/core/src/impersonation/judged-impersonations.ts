import type { Principal } from '../identity.js';
import type { TargetNames } from './grants.js';

/**
 * What a granted impersonation was judged on that its identity does not show: the target's names
 * with its own groups (the effective user carries the groups asked for instead, when some were),
 * and the groups asked for. A route rule that narrows the decision afterwards judges with these,
 * so that it answers as the same rule would have as part of the decision.
 */
export interface JudgedImpersonation {
  readonly target: Readonly<TargetNames>;
  readonly groups: readonly string[];
}

// Keyed by the effective principal, which each granting decision makes afresh: a copy of the
// identity still finds it, another user put in its place does not.
const judged = new WeakMap<Principal, JudgedImpersonation>();

/** Remembers what the decision that made `user` the effective principal judged. */
export function rememberJudged(
  user: Principal,
  target: TargetNames,
  groups: readonly string[],
): void {
  judged.set(
    user,
    Object.freeze({
      target: Object.freeze({ ...target, groups: Object.freeze([...target.groups]) }),
      groups: Object.freeze([...groups]),
    }),
  );
}

/** What the decision that made `user` the effective principal judged, if one of ours did. */
export function judgedImpersonation(user: Principal): JudgedImpersonation | undefined {
  return judged.get(user);
}
