import type { NearMiss } from '../journal/NearMiss.ts';
import type { components } from './generated/openapi.ts';
import type { ProblemCode } from './problemCatalogue.ts';

export type FieldError = components['schemas']['FieldError'];

export interface ProblemExtras {
  detail?: string;
  errors?: FieldError[];
  missingImages?: Array<'SELFIE' | 'DOCUMENT'>;
  /** With unknown-scenario: every name that would have been accepted. */
  knownScenarios?: string[];
  /** With unknown-provider-state: every provider state this server can set up. */
  knownStates?: string[];
  /** RFC 6749 members, for the token endpoint. */
  error?: string;
  error_description?: string;
  headers?: Record<string, string>;
}

/** Thrown (or passed to next()) by routes; rendered once, by renderProblem. */
export class ProblemError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly extras: ProblemExtras = {},
    /** The rule the request journal names for this refusal; derived from the code when absent. */
    readonly nearMiss?: NearMiss,
  ) {
    super(extras.detail ?? code);
  }
}
