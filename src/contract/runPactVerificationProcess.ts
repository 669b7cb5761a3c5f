import { fork } from 'node:child_process';
import type { runPactVerification } from './runPactVerification.ts';
import type { VerificationJson } from './verificationReport.ts';
import { withoutColour } from './withoutColour.ts';

export type VerificationOutcome = { kind: 'done'; json: VerificationJson } | { kind: 'timed-out' };

/**
 * Pact's verifier in a child process, so a time limit can end it: the verifier is one native call
 * that nothing in this process can interrupt, and a run abandoned in-process would keep replaying
 * interactions. Its own output goes to `stdout`/`stderr`.
 */
export function runPactVerificationProcess(
  options: Parameters<typeof runPactVerification>[0],
  run: {
    timeoutMs: number;
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    /** Whether the verifier's ANSI colours are kept (a terminal) or removed (a log). */
    colour: boolean;
  },
): Promise<VerificationOutcome> {
  // Compiled (dist/), the child is plain JavaScript; from sources it needs tsx registered first.
  const entry = new URL(
    import.meta.url.endsWith('.js') ? './pactVerifierChild.js' : './pactVerifierChildBootstrap.mjs',
    import.meta.url,
  );
  const child = fork(entry, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
  // Pact's verifier colours its lines whatever it writes to; a plain log gets them without.
  const relay = (from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream) =>
    run.colour ? from?.pipe(to, { end: false }) : from?.pipe(withoutColour()).pipe(to, { end: false });
  relay(child.stdout, run.stdout);
  relay(child.stderr, run.stderr);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => resolve({ kind: 'timed-out' }));
    }, run.timeoutMs);
    let answer: { result?: VerificationJson; error?: string } = {};
    child.on('message', (message: typeof answer) => {
      answer = message;
    });
    child.on('error', (error) => settle(() => reject(error)));
    // 'close' comes after the child's output is all read: the report follows the verifier's own lines.
    child.on('close', (code, signal) =>
      settle(() => {
        if (answer.result) resolve({ kind: 'done', json: answer.result });
        else if (answer.error) reject(new Error(`Pact's verifier failed: ${answer.error}`));
        else reject(new Error(`Pact's verifier stopped (${signal ?? `exit ${code}`}) without a result`));
      }),
    );
    child.send(options);
  });
}
