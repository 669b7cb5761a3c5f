import type { Response } from 'express';
import type { NearMiss } from '../journal/NearMiss.ts';
import { tagNearMiss } from '../journal/nearMissTag.ts';
import type { ProblemError } from './ProblemError.ts';
import { PROBLEMS } from './problemCatalogue.ts';

export function renderProblem(res: Response, problem: ProblemError, instance: string): void {
  const entry = PROBLEMS[problem.code];
  const { headers, ...members } = problem.extras;
  tagNearMiss(res, problem.nearMiss ?? nearMissFor(problem, entry.detail));
  for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
  res
    .status(entry.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `/problems/${problem.code}`,
        title: entry.title,
        status: entry.status,
        detail: entry.detail,
        instance,
        code: problem.code,
        ...members,
      }),
    );
}

/** Without a more precise rule, the problem code is the rule, and its first field error the field. */
function nearMissFor(problem: ProblemError, defaultDetail: string): NearMiss {
  const first = problem.extras.errors?.[0];
  return {
    rule: problem.code,
    message: problem.extras.detail ?? first?.message ?? defaultDetail,
    ...(first ? { field: first.field, location: first.location } : {}),
  };
}
