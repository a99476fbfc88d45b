import type { Principal } from '@pomerium-auth/core';

/** `alice <alice@corp.example> groups admins,support`. */
export function formatPrincipal(p: Pick<Principal, 'id' | 'email' | 'groups'>): string {
  const email = p.email !== undefined && p.email !== p.id ? ` <${p.email}>` : '';
  return `${p.id}${email}${p.groups.length > 0 ? `  groups ${p.groups.join(',')}` : ''}`;
}

/** Rows of `label  value`, the labels padded to one column. */
export function labelled(rows: ReadonlyArray<readonly [string, string]>, indent = ''): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}\n`).join('');
}
