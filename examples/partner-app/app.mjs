// A partner backend in miniature, for compose.yaml: it runs one Face Match flow against the mock
// (token, submission, uploads to the presigned URLs, confirm) and receives the signed completion
// callback, verifies its Standard Webhooks signature, and fetches the details. Node only, no packages.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const FACEMATCH_URL = process.env.FACEMATCH_URL ?? 'http://127.0.0.1:8080';
const PORT = Number(process.env.PORT ?? 4000);
const CLIENT_ID = process.env.CLIENT_ID ?? 'partner-app';
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'partner-app-secret';
const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET ?? 'whsec_cGFydG5lci1hcHAtd2ViaG9vay1zZWNyZXQ=';
const FIXTURES = process.env.FIXTURES ?? '/fixtures';
const TIMEOUT_MS = 10_000;

let token;

async function call(path, init = {}) {
  const response = await fetch(new URL(path, FACEMATCH_URL), {
    ...init,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function getToken() {
  const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
  const body = await call('/v1/oauth/token', {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return body.access_token;
}

async function startFlow() {
  token = await getToken();
  const auth = { authorization: `Bearer ${token}` };
  // No callbackUrl here: the partner's default in the mock's config points at this app.
  const submission = await call('/v1/submissions', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      referenceId: 'compose-demo',
      documentType: 'PASSPORT',
      selfieContentType: 'image/png',
    }),
  });
  const files = { SELFIE: ['success-selfie.png', 'image/png'], DOCUMENT: ['document.jpg', 'image/jpeg'] };
  for (const upload of submission.uploads) {
    const [file, type] = files[upload.imageType];
    // The presigned URL names the host the mock was told it is reachable at (FACEMATCH_PUBLIC_URL).
    const put = await fetch(upload.url, {
      method: 'PUT',
      headers: { 'content-type': type },
      body: await readFile(`${FIXTURES}/${file}`),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!put.ok) throw new Error(`upload ${upload.imageType}: ${put.status} ${await put.text()}`);
  }
  await call(`/v1/submissions/${submission.correlationId}/confirm`, { method: 'POST', headers: auth });
  console.log(`partner-app: submission ${submission.correlationId} confirmed; waiting for the callback`);
}

/** Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body` with the whsec_ key, timestamp within 5 minutes. */
function verifySignature(headers, body) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = String(headers['webhook-signature'] ?? '').split(' ');
  if (!id || !timestamp || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(WEBHOOK_SECRET.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(
    createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64'),
  );
  return signatures.some((s) => {
    const given = Buffer.from(s.replace(/^v1,/, ''));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const server = createServer(async (request, response) => {
  if (request.method === 'GET' && request.url === '/healthz') return response.end('ok');
  if (request.method !== 'POST' || request.url !== '/facematch/callback') {
    response.statusCode = 404;
    return response.end();
  }
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString('utf8');
  if (!verifySignature(request.headers, body)) {
    console.log('partner-app: callback with a bad signature refused');
    response.statusCode = 401;
    return response.end();
  }
  response.statusCode = 204;
  response.end();
  const { data } = JSON.parse(body);
  const details = await call(`/v1/submissions/${data.correlationId}`, {
    headers: { authorization: `Bearer ${token}` },
  }).catch((error) => ({ error: error.message }));
  console.log(
    `partner-app: signed callback for ${data.correlationId}: ${data.status}`,
    JSON.stringify(details.result ?? details),
  );
});

server.listen(PORT, '0.0.0.0', () => {
  console.log(`partner-app: listening on ${PORT}, mock at ${FACEMATCH_URL}`);
  startFlow().catch((error) => {
    console.error(`partner-app: ${error.message}`);
    process.exitCode = 1;
  });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)));
