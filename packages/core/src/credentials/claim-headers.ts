import { refuseUnknownKeys } from '../config/option-checks.js';
import { InvalidRequestError, PomeriumAuthConfigError } from '../errors.js';
import { removeHeaders, type AuthRequest } from '../request.js';

/** The keys of the object form of `claimHeaders`. */
const CLAIM_HEADERS_KEYS: ReadonlySet<string> = new Set(['mode', 'names']);

/** The prefix of Pomerium's claim headers: `X-Pomerium-Claim-<claim>`. */
export const CLAIM_HEADER_PREFIX = 'x-pomerium-claim-';

/** How Pomerium's unsigned claim headers are treated (option `claimHeaders`), compiled once. */
export interface ClaimHeaderRules {
  mode: 'verify' | 'strip';
  /** Custom header names (lower case) and the claim each carries, as Pomerium's `jwt_claims_headers` map. */
  names: ReadonlyMap<string, string>;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Reads the `claimHeaders` option: `'ignore'` (default: never read, never touched), `'verify'`,
 * `'strip'`, or `{ mode, names }` with custom header names (`{ 'x-email': 'email' }`).
 */
export function compileClaimHeaders(option: unknown): ClaimHeaderRules | undefined {
  if (option === undefined || option === 'ignore') return undefined;
  if (option === 'verify' || option === 'strip') return { mode: option, names: new Map() };
  if (option === null || typeof option !== 'object' || Array.isArray(option)) {
    throw new PomeriumAuthConfigError(
      'claimHeaders',
      "must be 'ignore', 'verify', 'strip' or { mode: 'verify' | 'strip', names }",
    );
  }
  // A misspelt `names` would verify the default headers instead of the ones meant.
  refuseUnknownKeys(option, CLAIM_HEADERS_KEYS, 'claimHeaders');
  const { mode, names } = option as { mode?: unknown; names?: unknown };
  if (mode !== 'verify' && mode !== 'strip') {
    throw new PomeriumAuthConfigError('claimHeaders.mode', "must be 'verify' or 'strip'");
  }
  const map = new Map<string, string>();
  if (names !== undefined) {
    if (names === null || typeof names !== 'object' || Array.isArray(names)) {
      throw new PomeriumAuthConfigError('claimHeaders.names', 'must be an object of header: claim');
    }
    for (const [header, claim] of Object.entries(names)) {
      if (!HEADER_NAME.test(header)) {
        throw new PomeriumAuthConfigError(
          `claimHeaders.names.${header}`,
          'is not an HTTP header name',
        );
      }
      if (typeof claim !== 'string' || claim === '') {
        throw new PomeriumAuthConfigError(`claimHeaders.names.${header}`, 'must name a claim');
      }
      map.set(header.toLowerCase(), claim);
    }
  }
  return { mode, names: map };
}

/**
 * Applies the claim-header rules to a request, once its credential is known. `claims` are the
 * signed claims of the assertion that authenticated it, or `undefined` when no assertion did.
 *
 * - `'strip'`, or no assertion: every claim header is removed (nothing downstream can read a
 *   value nobody signed).
 * - `'verify'` with an assertion: each claim header must equal the signed claim as Pomerium
 *   writes it (arrays joined with `,`, an empty value for a claim the assertion lacks); any
 *   mismatch is 400 `invalid_request` (`claim_header_mismatch`). Headers that match stay.
 */
export function applyClaimHeaders(
  request: AuthRequest,
  rules: ClaimHeaderRules,
  claims: Readonly<Record<string, unknown>> | undefined,
): void {
  const present: string[] = [];
  for (const name of Object.keys(request.headers)) {
    if (name.startsWith(CLAIM_HEADER_PREFIX) || rules.names.has(name)) present.push(name);
  }
  if (present.length === 0) return;
  if (rules.mode === 'strip' || claims === undefined) {
    removeHeaders(request, present);
    return;
  }
  for (const name of present) {
    const value = request.headers[name];
    const sent = Array.isArray(value) ? value.join(', ') : (value ?? '');
    const claim =
      rules.names.get(name) ?? claimNamed(name.slice(CLAIM_HEADER_PREFIX.length), claims);
    const signed = claim === undefined || !Object.hasOwn(claims, claim) ? undefined : claims[claim];
    if (!headerValues(signed).includes(sent)) {
      throw new InvalidRequestError(
        'claim_header_mismatch',
        `${name} does not match the signed claim`,
      );
    }
  }
}

/**
 * The claim a default header names: Pomerium writes `x-pomerium-claim-<claim>` with the claim as
 * it is, and Node lower-cases header names, so the claim is found case-insensitively (and with
 * `-` for `_`, as Pomerium's documentation describes older versions writing it).
 */
function claimNamed(suffix: string, claims: Readonly<Record<string, unknown>>): string | undefined {
  if (Object.hasOwn(claims, suffix)) return suffix;
  for (const key of Object.keys(claims)) {
    const folded = key.toLowerCase();
    if (folded === suffix || folded.replaceAll('_', '-') === suffix) return key;
  }
  return undefined;
}

/**
 * What Pomerium may have written for a signed value (its `getHeaderStringValue`): an absent claim
 * is an empty header; an array is its elements joined with `,`, each written the same way;
 * anything else Go's `fmt.Sprint`. A number may have reached Pomerium as an integer (its own
 * claims) or as JSON's float64 (an identity provider's), which Go prints differently
 * (`1700000000` or `1.7e+09`): both are Pomerium's, for a number alone or in an array (whose
 * numbers all came the same way: the first value of each element is its integer form, the last
 * its float64 form).
 */
function headerValues(value: unknown): string[] {
  if (value === undefined) return [''];
  if (Array.isArray(value)) {
    const forms = value.map((v) => headerValues(v));
    const integers = forms.map((f) => f[0]).join(',');
    const floats = forms.map((f) => f[f.length - 1]).join(',');
    return integers === floats ? [integers] : [integers, floats];
  }
  if (typeof value === 'number') {
    const plain = String(value);
    const go = goFloat(value);
    return plain === go ? [plain] : [plain, go];
  }
  return [goValue(value)];
}

function goValue(value: unknown): string {
  if (value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFloat(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${goValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects returned above: a primitive is left, which `unknown` cannot be narrowed to
  return String(value);
}

/** Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`): the exponent form from 1e6 up and below 1e-4. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent >= -4 && exponent < 6) return String(n);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
