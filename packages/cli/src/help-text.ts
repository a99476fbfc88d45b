// The --help of every command. Kept together so the wording stays consistent.

export const MAIN_HELP = `pomerium-auth: tokens, keys and decisions for services behind Pomerium

Usage: pomerium-auth <command> [flags]

Commands:
  mint             mint a service-account token (historic pomerium-cli flags, or today's format with --id)
  mint assertion   mint an X-Pomerium-Jwt-Assertion signed with a key file or the derived key
  verify           check a credential with the options an application uses, and say why it fails
  keygen           make a signing key pair (ES256 or RS256), or print the one derived from a shared secret
  jwks             print the public key set of key files, or of the key derived from a shared secret
  explain          may this user (acting as that one) make this request? names the grant, rule or policy that decides

Run "pomerium-auth <command> --help" for a command's flags. Flags take one dash or two
(-aud or --aud), and -name=value works too.

Exit codes: 0 done / valid / allowed, 1 invalid token or refused, 2 usage or configuration error.
`;

export const MINT_HELP = `Usage: pomerium-auth mint [flags] [shared secret | -]

Mints a service-account token signed (HS256) with Pomerium's shared secret.

The historic pomerium-cli format (Pomerium v0.7 to v0.12), the default:
  -aud hosts               audience: route hosts, comma-separated or repeated
  -email address           email
  -expiry duration         lifetime as a Go duration: 1h0m0s, 30m, 90s (default 1h0m0s)
  -groups list             groups, comma-separated or repeated
  -impersonate_email addr  impersonation email (a request: the service's grants decide)
  -impersonate_groups list impersonation groups
  -iss host                issuer: the authenticate service's host
  -sub id                  subject (typically the user's id)
  -user id                 user (typically the user's id)

Today's format (Pomerium's service accounts: jti, sub, iat, nbf, exp only with an expiry):
  --id account-id          the service account's id (jti); selects this format
  --sub user-id            the user the account acts as (or --user)
  --expiry duration        optional; without it the token does not expire

Both formats:
  --legacy-raw             sign with the base64 text itself, as Pomerium v0.8 to v0.13 did
  --scheme name            print the header line that carries the token instead of the bare token:
                           x-pomerium-authorization, authorization-pomerium,
                           authorization-bearer-pomerium, or cookie (Cookie: _pomerium=<jwt>)
  --cookie-name name       the cookie of --scheme cookie (default _pomerium)

The shared secret (base64, as in Pomerium's shared_secret) is the argument ("-" for standard
input), else POMERIUM_SHARED_KEY or POMERIUM_SHARED_SECRET, else standard input: prompted
without echo on a terminal, read from a pipe otherwise.

Examples:
  pomerium-auth mint -aud httpbin.int.pomerium.io -email bob@pomerium.io -sub bob -user bob -expiry 30m
  POMERIUM_SHARED_SECRET=... pomerium-auth mint --id sa-1 --sub user-1 --expiry 24h
  curl -H "$(pomerium-auth mint --id sa-1 --sub user-1 --scheme authorization-bearer-pomerium)" https://app.example.com/
  pomerium-auth mint assertion --help
`;

export const MINT_ASSERTION_HELP = `Usage: pomerium-auth mint assertion (--key file | --derive-from-shared-secret [secret | -]) [flags]

Mints an X-Pomerium-Jwt-Assertion with Pomerium's claim set (iss, aud, jti, iat, exp, sub,
user, email, groups, sid, name), signed ES256 or RS256.

  --key file                    private key: PEM, Pomerium's base64 signing_key, or a private JWK
  --derive-from-shared-secret   sign with the key Pomerium derives from its shared secret when it
                                has no signing_key (secret as for "mint": argument, environment, stdin)
  --legacy-raw                  no effect on the derived key: Pomerium derives it from the decoded secret
  --aud host                    the route host (required)
  --iss host                    issuer (default: the --aud host; https://host/ for jwt_issuer_format uri)
  --sub id                      the user id, also the "user" claim (required)
  --email address               email
  --name name                   display name
  --groups list                 groups, comma-separated or repeated
  --expiry duration             lifetime as a Go duration (default 5m0s, as Pomerium)
  --kid id                      key id (default: the key's hex JWK thumbprint, as Pomerium)
  --scheme name                 print the header line that carries it instead of the bare token:
                                assertion (X-Pomerium-Jwt-Assertion), authorization-bearer-assertion
                                (Authorization: Bearer), or assertion-for (X-Pomerium-Jwt-Assertion-For:
                                the original user behind a chain; --aud is then the first route's host)

Examples:
  pomerium-auth mint assertion --key signing-key.pem --aud app.example.com --sub alice --email alice@example.com --groups admins
  pomerium-auth mint assertion --key signing-key.pem --aud portal.example.com --sub alice --scheme assertion-for
`;

export const VERIFY_HELP = `Usage: pomerium-auth verify [flags] [token | -]

Checks a credential exactly as an application would: the core's authenticate() runs on a request
carrying it, with the same options. Prints the decision and the source it was read from; on
failure, the error code, HTTP status, and the internal reason and detail that the audit log
would show.

Options (flags win over --config, which wins over the environment):
  --config file            the application's options: JSON, or a .js/.mjs module's default export
  --shared-secret base64   service-account tokens (env POMERIUM_SHARED_SECRET or POMERIUM_SHARED_KEY)
  --legacy-raw             shared secret as raw text (Pomerium v0.8 to v0.13)
  --jwks-url url           assertion keys (env POMERIUM_JWKS_URL)
  --public-key file        assertion key: PEM, JWK or JWKS file; repeatable
  --derive-assertion-key   accept assertions signed with the key derived from the shared secret
  --issuer host            expected issuer(s), comma-separated or repeated (env POMERIUM_ISSUER)
  --audience host          expected audience(s) (env POMERIUM_AUDIENCE)
  --clock-tolerance secs   default 5
  --source list            credential sources (sources): assertion, service-account,
                           bearer-assertion, cookie; comma-separated or repeated
  --cookie-name name       the cookie the cookie source reads (cookieName; default _pomerium)
  --assertion-for          verify x-pomerium-jwt-assertion-for into "on behalf of" (assertionFor)
  --claim-headers mode     X-Pomerium-Claim-* headers (claimHeaders): verify, strip or ignore

The request:
  --scheme name            which header carries the token argument: assertion,
                           authorization-bearer-assertion, x-pomerium-authorization,
                           authorization-pomerium, authorization-bearer-pomerium, cookie
                           (default: assertion for ES/RS tokens, else authorization-bearer-pomerium,
                           or the channel --source turns on when it leaves those out)
  --header "name: value"   a header as the request carries it, repeatable: a credential
                           ("Authorization: Bearer <jwt>", "Cookie: _pomerium=<jwt>"),
                           "x-pomerium-jwt-assertion-for: <jwt>", "impersonate-user: bob"
  --method, --path         default GET /
  --json                   print a JSON object

The token is the argument, or standard input ("-", or when none is given), unless a --header
carries the credential (Authorization, Cookie, X-Pomerium-Jwt-Assertion, X-Pomerium-Authorization).
Exit codes: 0 valid, 1 invalid, 2 usage or configuration error.

Examples:
  pomerium-auth verify --shared-secret "$SECRET" --audience httpbin.int.pomerium.io "$TOKEN"
  invalid  invalid_token (401): token_expired — expired at 1586842679
  pomerium-auth verify --config options.json --source cookie --header "Cookie: _pomerium=$TOKEN"
`;

export const KEYGEN_HELP = `Usage: pomerium-auth keygen [--alg ES256|RS256] [--kid id] [--out dir [--force]]
       pomerium-auth keygen --derive-from-shared-secret [secret | -] [--legacy-raw] [--out dir [--force]]

Makes a signing key pair: EC P-256 for ES256 (Pomerium's default), RSA 2048 for RS256.
Prints the private key (PKCS#8 PEM) and the public JWK, named by its hex thumbprint as
Pomerium names keys. With --out, writes signing-key.pem (mode 600) and jwks.json instead.

  --derive-from-shared-secret   the pair Pomerium derives from its shared secret when it has no
                                signing_key, instead of a new one (secret as for "mint": argument,
                                environment, stdin)
  --legacy-raw                  no effect on the derived key: Pomerium derives it from the decoded secret
`;

export const JWKS_HELP = `Usage: pomerium-auth jwks <key file>... | --derive-from-shared-secret [secret | -] [--legacy-raw]

Prints a public key set { "keys": [...] } as Pomerium publishes it at
/.well-known/pomerium/jwks.json.

  <key file>...                 PEM (public, private, certificate), base64 signing_key, JWK or JWKS
  --derive-from-shared-secret   the key Pomerium derives from its shared secret when it has no
                                signing_key (secret as for "mint": argument, environment, stdin)
  --compact                     one line
`;

export const EXPLAIN_HELP = `Usage: pomerium-auth explain (--config file | --policy file) --initiator who [--as whom] [flags] [METHOD] [PATH]

A dry run of the application's rules: may the initiator (acting as the target, when one is
named) make this request, and which grant, rule or policy decides, down to the criteria and
Pomerium's reasons (groups-ok, groups-unauthorized, ...). Nothing is verified or audited.

  --config file               the application's options (JSON, or a .js/.mjs module's default
                              export): its impersonation rules, directory and app-wide policy
  --policy file               the route's policy: a PPL document, YAML or JSON; repeatable
                              (every one must allow)
  --initiator id|email        who asks (required)
  --initiator-email address   the initiator's email, when --initiator is an id
  --initiator-groups list     the initiator's groups (default: from the options' directory, if any)
  --as id|email               whom to act as (also --target); policies then judge that user
  --groups list               groups asked for (the impersonate-group header)
  METHOD PATH                 the request (default GET /; also --method, --path); read-only
                              grants look at the method, policies at both
  --ip address                the client address (source_ip)
  --time iso8601              when (date, day_of_week, time_of_day; default now)
  --reason text               the impersonate-reason header
  --route-forbid              the route forbids impersonation (forbidImpersonation())
  --route-grants file.json    the route's own grants (allowImpersonation(grants)): an array
  --json                      print a JSON object

Exit codes: 0 allowed, 1 refused, 2 usage or configuration error.

Examples:
  pomerium-auth explain --config options.json --initiator alice --initiator-groups admins --target user_1
  pomerium-auth explain --config options.json --policy policy.yaml --as user_1 --initiator alice GET /reports
`;
