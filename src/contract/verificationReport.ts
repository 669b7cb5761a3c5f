/** The parts of pact-core's verification JSON (`pactffi_verifier_json`) the report reads. */
export interface VerificationJson {
  result: boolean;
  errors?: Array<{
    interaction: string;
    mismatch?: {
      type?: string;
      message?: string;
      mismatches?: Array<{
        type?: string;
        expected?: unknown;
        actual?: unknown;
        mismatch?: string;
        path?: string;
        key?: string;
      }>;
    };
  }>;
  interactionResults?: Array<{ description: string; result: string }>;
}

/**
 * A report a person reads in a CI log: a line per interaction, then per failure the field, what the
 * pact expected and what the mock answered, then the verdict.
 */
export function formatVerificationReport(json: VerificationJson, knownStates: readonly string[]): string {
  const results = json.interactionResults ?? [];
  const failed = json.errors ?? [];
  const lines: string[] = [];
  for (const r of results) lines.push(`  ${r.result === 'OK' ? 'ok  ' : 'FAIL'}  ${r.description}`);
  for (const [n, error] of failed.entries()) {
    lines.push('', `${n + 1}) ${error.interaction}`);
    const mismatch = error.mismatch;
    if (mismatch?.mismatches?.length) {
      for (const m of mismatch.mismatches) {
        const field = m.path ?? (m.key ? `header ${m.key}` : m.type === 'StatusMismatch' ? 'status' : '');
        lines.push(`   ${m.type ?? 'Mismatch'}${field ? ` at ${field}` : ''}`);
        if (m.expected !== undefined) lines.push(`     expected: ${show(m.expected)}`);
        if (m.actual !== undefined) lines.push(`     actual:   ${show(m.actual)}`);
        if (m.mismatch) lines.push(`     ${m.mismatch}`);
        // Pact names the object; the partner looks for the field, so name each missing one in full.
        const missing = /missing the following keys: (.+)$/.exec(m.mismatch ?? '')?.[1];
        if (missing && m.path) {
          const fields = missing.split(/,\s*/).map((key) => `${m.path}.${key}`);
          lines.push(`     not returned by the API: ${fields.join(', ')}`);
        }
      }
    } else if (mismatch?.message) {
      lines.push(`   ${mismatch.message}`);
    }
    const text = JSON.stringify(mismatch ?? '');
    if (/state/i.test(text) && /unknown-provider-state|No provider state|state change/i.test(text)) {
      lines.push(`   Known provider states: ${knownStates.map((s) => `"${s}"`).join(', ')}`);
    }
  }
  // The verdict last, where a CI log's tail (and a reader's eye) ends up.
  lines.push(
    '',
    `${json.result ? 'PASSED' : 'FAILED'}: ${results.length} interaction(s), ${results.filter((r) => r.result === 'OK').length} passed, ${failed.length} failed`,
  );
  return `${lines.join('\n')}\n`;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * The report of a run its time limit ended: Pact's verifier reports nothing until it is done, so
 * what is known is how far it got. The interactions it had not reached are listed in pact order
 * (the order it verifies them in), so a partner can split the pact or raise the limit.
 */
export function formatTimedOutReport(run: {
  timeoutSeconds: number;
  reached: number;
  /** Every interaction of the pact files in order; empty when the pacts come from a broker. */
  interactions: string[];
}): string {
  const total = run.interactions.length;
  const reached = total ? Math.min(run.reached, total) : run.reached;
  const lines = [
    `TIMED OUT: the time limit (--timeout ${run.timeoutSeconds}) ended the run after ${reached}${total ? ` of ${total}` : ''} interaction(s) were reached; their results are lost with the run.`,
  ];
  if (total) {
    // One whose states were being set up when the limit came has not made its request: not reached.
    const notReached = run.interactions.slice(reached);
    lines.push(`Not reached: ${notReached.length} interaction(s), in pact order:`);
    for (const i of notReached.slice(0, SHOWN_NOT_REACHED)) lines.push(`  ${i}`);
    if (notReached.length > SHOWN_NOT_REACHED)
      lines.push(`  … and ${notReached.length - SHOWN_NOT_REACHED} more`);
  }
  lines.push(
    'Raise --timeout, or split the pact; `facematch-mock check-pact` checks thousands of interactions in seconds.',
  );
  return `${lines.join('\n')}\n`;
}

const SHOWN_NOT_REACHED = 10;
