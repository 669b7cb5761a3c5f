import type { Response } from 'express';
import type { ProblemError } from './ProblemError.ts';
import { PROBLEMS } from './problemCatalogue.ts';

export function renderProblem(res: Response, problem: ProblemError, instance: string): void {
  const entry = PROBLEMS[problem.code];
  const { headers, ...members } = problem.extras;
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
