import type { CallbackReceiver } from './callbackReceiver.ts';

/** Where a flow can go wrong; a failed flow is counted under the first step that failed. */
export const STEPS = ['create', 'upload', 'confirm', 'status', 'callback', 'details', 'outcome'] as const;
export type Step = (typeof STEPS)[number];

/** What is timed, in ms. `completed` is partner-side (confirm answered → a poll saw it finished). */
export const TIMINGS = [
  'create',
  'upload',
  'confirm',
  'completed',
  'processing',
  'callbackDelay',
  'details',
  'total',
] as const;
export type Timing = (typeof TIMINGS)[number];

export interface FlowCase {
  name: string;
  selfie: Uint8Array<ArrayBuffer>;
  selfieContentType: 'image/png' | 'image/jpeg';
  documentContentType?: 'image/png' | 'image/jpeg';
  document: Uint8Array<ArrayBuffer>;
  outcome: string;
}

export interface FlowInput {
  index: number;
  baseUrl: string;
  token: string;
  flowCase: FlowCase;
  receiver: CallbackReceiver;
  pollCapMs: number;
  callbackGraceMs: number;
  completionTimeoutMs: number;
  /** Each request's own limit, beside the run-wide signal (default 30 s). */
  requestTimeoutMs?: number;
  /**
   * Where each request goes, as a load balancer in front of several instances would choose
   * (presigned upload URLs included); default the URL as given.
   */
  route?: (url: string) => string;
  signal: AbortSignal;
}

export interface FlowResult {
  correlationId?: string;
  timings: Partial<Record<Timing, number>>;
  polls: number;
  /** Latency of each status poll, ms: what a partner waits for an answer while the server scores. */
  pollMs: number[];
  /** A status poll saw COMPLETED or FAILED: from here on a callback is owed. */
  finished: boolean;
  callbackLost: boolean;
  /** Cut short by the bench's time limit, not by the server. */
  aborted: boolean;
  failedStep?: Step;
  error?: string;
}

class StepError extends Error {
  constructor(
    readonly step: Step,
    message: string,
  ) {
    super(message);
  }
}

interface PresignedUpload {
  imageType: string;
  url: string;
  method: string;
  headers: Record<string, string>;
}

/**
 * One partner flow, step by step as the seed describes it: create, PUT both
 * images to their presigned URLs, confirm, poll the status, wait for the
 * signed callback, then read the details and check the declared outcome.
 */
export async function runFlow(input: FlowInput): Promise<FlowResult> {
  // fetch leaves its abort listener on the signal until GC; on the run-wide
  // signal that adds up to thousands (MaxListenersExceededWarning), so each
  // flow gets a short-lived signal of its own that follows the run-wide one.
  const own = new AbortController();
  const follow = () => own.abort(input.signal.reason);
  if (input.signal.aborted) follow();
  else input.signal.addEventListener('abort', follow, { once: true });
  try {
    return await runSteps(input, own.signal);
  } finally {
    input.signal.removeEventListener('abort', follow);
  }
}

async function runSteps(input: FlowInput, signal: AbortSignal): Promise<FlowResult> {
  const { baseUrl, flowCase } = input;
  const result: FlowResult = {
    timings: {},
    polls: 0,
    pollMs: [],
    finished: false,
    callbackLost: false,
    aborted: false,
  };
  let current: Step = 'create';
  const auth = { authorization: `Bearer ${input.token}` };
  const route = input.route ?? ((url: string) => url);
  const call = (step: Step, url: string, expected: number, outer: AbortSignal, init: RequestInit) =>
    request(
      step,
      route(url),
      expected,
      AbortSignal.any([outer, AbortSignal.timeout(input.requestTimeoutMs ?? 30_000)]),
      init,
    );
  const timed = async <T>(timing: Timing, work: () => Promise<T>): Promise<T> => {
    current = timing === 'completed' ? 'status' : (timing as Step);
    const started = performance.now();
    const value = await work();
    result.timings[timing] = performance.now() - started;
    return value;
  };
  const flowStarted = performance.now();
  try {
    const created = await timed('create', () =>
      call('create', `${baseUrl}/v1/submissions`, 201, signal, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          referenceId: `bench-${input.index}`,
          documentType: 'KTP',
          selfieContentType: flowCase.selfieContentType,
          ...(flowCase.documentContentType ? { documentContentType: flowCase.documentContentType } : {}),
        }),
      }),
    );
    const id = (created.body as { correlationId: string }).correlationId;
    result.correlationId = id;
    const uploads = (created.body as { uploads: PresignedUpload[] }).uploads;

    await timed('upload', async () => {
      for (const [type, bytes] of [
        ['SELFIE', flowCase.selfie],
        ['DOCUMENT', flowCase.document],
      ] as const) {
        const upload = uploads.find((u) => u.imageType === type);
        if (!upload) throw new StepError('upload', `no ${type} upload in the create response`);
        await call('upload', upload.url, 200, signal, {
          method: upload.method,
          headers: upload.headers,
          body: bytes,
        });
      }
    });

    const confirmed = await timed('confirm', () =>
      call('confirm', `${baseUrl}/v1/submissions/${id}/confirm`, 202, signal, {
        method: 'POST',
        headers: auth,
      }),
    );

    const finalStatus = await timed('completed', async () => {
      const deadline = Date.now() + input.completionTimeoutMs;
      let retryAfter = confirmed.retryAfter;
      for (;;) {
        await sleep(Math.min(retryAfter * 1000, input.pollCapMs), signal);
        const polled = performance.now();
        const status = await call('status', `${baseUrl}/v1/submissions/${id}/status`, 200, signal, {
          headers: auth,
        });
        result.pollMs.push(performance.now() - polled);
        result.polls++;
        const state = (status.body as { status: string }).status;
        if (state === 'COMPLETED' || state === 'FAILED') return state;
        if (Date.now() > deadline) {
          throw new StepError('status', `still ${state} after ${input.completionTimeoutMs} ms of polling`);
        }
        retryAfter = status.retryAfter;
      }
    });
    result.finished = true;
    current = 'callback';

    const arrival = await input.receiver.waitFor(id, input.callbackGraceMs, signal);
    if (!arrival) {
      if (signal.aborted) throw new StepError('callback', 'aborted by the time limit while waiting');
      result.callbackLost = true;
      throw new StepError('callback', `no callback within ${input.callbackGraceMs} ms of ${finalStatus}`);
    }
    if (arrival.status !== finalStatus) {
      throw new StepError('callback', `callback says ${arrival.status}, status said ${finalStatus}`);
    }

    const details = await timed('details', () =>
      call('details', `${baseUrl}/v1/submissions/${id}`, 200, signal, { headers: auth }),
    );
    result.timings.total = performance.now() - flowStarted;
    current = 'outcome';
    const body = details.body as {
      confirmedAt: string | null;
      completedAt: string | null;
      result: { outcome?: string } | null;
    };
    // Server clock and ours are the same machine's clock, so these differences are meaningful.
    if (body.completedAt) {
      const completedAt = Date.parse(body.completedAt);
      result.timings.callbackDelay = arrival.at - completedAt;
      if (body.confirmedAt) result.timings.processing = completedAt - Date.parse(body.confirmedAt);
    }
    if (body.result?.outcome !== flowCase.outcome) {
      throw new StepError(
        'outcome',
        `${flowCase.name}: outcome ${body.result?.outcome ?? 'none'}, expected ${flowCase.outcome}`,
      );
    }
  } catch (error) {
    result.failedStep = error instanceof StepError ? error.step : current;
    result.aborted = signal.aborted;
    result.error = error instanceof Error ? error.message : String(error);
  }
  return result;
}

async function request(
  step: Step,
  url: string,
  expected: number,
  signal: AbortSignal,
  init: RequestInit,
): Promise<{ body: unknown; retryAfter: number }> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, signal });
    text = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new StepError(step, `${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  if (response.status !== expected) {
    throw new StepError(step, `HTTP ${response.status} (expected ${expected}): ${text.slice(0, 160)}`);
  }
  const retryAfter = Number(response.headers.get('retry-after') ?? '1');
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return { body: isJson ? JSON.parse(text) : text, retryAfter: Number.isFinite(retryAfter) ? retryAfter : 1 };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new StepError('status', 'aborted by the time limit'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new StepError('status', 'aborted by the time limit'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
