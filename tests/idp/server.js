// An OpenID provider for the test suite only: panva's certified oidc-provider, on 127.0.0.1.
//
//   node server.js            (settings from the environment, see below)
//
// IDP_PORT          port to listen on (0 = any free port; the chosen one is printed)
// IDP_CLIENT_ID     the one client it knows, with IDP_CLIENT_SECRET
// IDP_REDIRECT_URIS comma-separated redirect URIs registered for that client
// IDP_POST_LOGOUT_REDIRECT_URIS  comma-separated, for RP-initiated logout
//
// It prints one line "listening <issuer>" once it answers. Beside the standard endpoints it
// has a test-only control endpoint, POST /__test__/config (JSON), which sets:
//   accounts: {"<email>": {"email_verified": bool, "groups": [..], "name": ".."}}
//             claims of the people who sign in (unknown emails are verified, no groups);
//   tamper:   null, or how to spoil the next ID tokens the token endpoint returns:
//             "wrong_audience", "wrong_issuer", "wrong_nonce", "expired", "unsigned" (alg none), "bad_signature",
//             "token_error" (the token endpoint answers 500).
// Sign-in is a plain form asking for an email address (no password): the tests are about the
// app's side of the protocol, not about the provider's own authentication.

import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

import { Provider } from 'oidc-provider';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';

const port = Number(process.env.IDP_PORT || 0);
const clientId = process.env.IDP_CLIENT_ID || 'compass360';
const clientSecret = process.env.IDP_CLIENT_SECRET || 'compass360-test-secret';
const list = (value) => (value || '').split(',').map((s) => s.trim()).filter(Boolean);

const state = { accounts: {}, tamper: null };

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
// A second key the app has never seen, to sign tokens that must fail verification.
const { privateKey: strangerKey } = await generateKeyPair('RS256', { extractable: true });

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

function claimsFor(accountId) {
  const known = state.accounts[accountId] || {};
  return {
    sub: accountId,
    email: accountId,
    email_verified: known.email_verified ?? true,
    name: known.name || accountId.split('@')[0],
    groups: known.groups || [],
  };
}

async function spoil(idToken, how) {
  const payload = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims, key = privateKey) => new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' })
    .sign(key);
  switch (how) {
    case 'wrong_audience':
      return sign({ ...payload, aud: 'someone-else' });
    case 'wrong_issuer':
      return sign({ ...payload, iss: 'https://impostor.example' });
    case 'wrong_nonce':  // an ID token from another sign-in, replayed
      return sign({ ...payload, nonce: 'from-another-sign-in' });
    case 'expired':
      return sign({ ...payload, iat: now - 7200, exp: now - 3600 });
    case 'bad_signature':
      return sign(payload, strangerKey);
    case 'unsigned': {
      const part = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
      return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
    }
    default:
      return idToken;
  }
}

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: list(process.env.IDP_REDIRECT_URIS),
    post_logout_redirect_uris: list(process.env.IDP_POST_LOGOUT_REDIRECT_URIS),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomBytes(16).toString('hex')] },
  // PKCE for every client, confidential ones included: a client that skips it is refused.
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => claimsFor(id),
  }),
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><title>Provider error</title><h1>${escapeHtml(out.error)}</h1>`
      + `<p>${escapeHtml(out.error_description || '')}</p>`;
  },
};

const issuerPlaceholder = 'http://127.0.0.1';
let provider;
let handle;

async function interactions(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return false;
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  if (prompt.name === 'login' && req.method === 'POST' && match[2]) {
    const form = await readForm(req);
    const email = (form.get('email') || '').trim();
    await provider.interactionFinished(req, res, { login: { accountId: email } }, { mergeWithLastSubmission: false });
    return true;
  }
  if (prompt.name === 'login') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body><h1>Test provider</h1>
<form method="post" action="/interaction/${escapeHtml(details.uid)}/login">
<label for="email">Email</label> <input id="email" name="email" type="email" autofocus required>
<button type="submit">Continue</button></form></body></html>`);
    return true;
  }
  // Consent: the app is the organisation's own, so consent is given at once (no page).
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  return true;
}

async function control(req, res) {
  if (req.url !== '/__test__/config' || req.method !== 'POST') return false;
  const body = await readJson(req);
  if ('accounts' in body) state.accounts = body.accounts || {};
  if ('tamper' in body) state.tamper = body.tamper || null;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(state));
  return true;
}

const server = createServer(async (req, res) => {
  try {
    if (await control(req, res)) return;
    if (await interactions(req, res)) return;
    handle(req, res);
  } catch (err) {
    res.statusCode = 500;
    res.end(`test provider error: ${err.message}`);
  }
});

server.listen(port, '127.0.0.1', () => {
  const issuer = `${issuerPlaceholder}:${server.address().port}`;
  provider = new Provider(issuer, configuration);
  // After the token endpoint has answered, spoil the ID token when a test asked for it.
  provider.use(async (ctx, next) => {
    if (ctx.path === '/token' && state.tamper === 'token_error') {
      ctx.status = 500;
      ctx.body = { error: 'server_error' };
      return;
    }
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token && state.tamper) {
      ctx.body = { ...ctx.body, id_token: await spoil(ctx.body.id_token, state.tamper) };
    }
  });
  handle = provider.callback();
  console.log(`listening ${issuer}`);
});
