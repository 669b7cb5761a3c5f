import type { IHttpOperation } from '@stoplight/types';
import type { NextFunction, Request, Response } from 'express';
import { bearerChallenge } from '../auth/bearerChallenge.ts';
import type { Partner } from '../auth/Partner.ts';
import { decodeObjectKeyPath } from '../bucket/objectKey.ts';
import { s3Errors, sendS3Error } from '../bucket/s3Error.ts';
import type { FaultStep, ScenarioFault } from '../scenarios/scenarioSchema.ts';
import { parseUploadKey } from '../submissions/uploadKey.ts';
import type { AppServices } from './AppServices.ts';
import { ProblemError } from './ProblemError.ts';
import { PROBLEMS } from './problemCatalogue.ts';

/** The header that says which scenario governs the submission a response is about (mock-only, never in bodies). */
export const SCENARIO_HEADER = 'Facematch-Mock-Scenario';

/** Contract operations a scenario fault can hit, by operationId. */
const STEP_BY_OPERATION: Record<string, FaultStep> = {
  reissueUploads: 'uploads',
  uploadImage: 'upload',
  confirmSubmission: 'confirm',
  getSubmissionStatus: 'status',
  getSubmissionDetails: 'details',
  listCallbackDeliveries: 'callbacks',
};

/**
 * The one HTTP layer where scenarios inject statuses, delays and resets. It
 * runs after the request matched the contract (and, for the API, after the
 * bearer check, so another partner's id is never told apart from an unknown
 * one); the routes below it never know a scenario exists.
 */
export function scenarioFaults(services: AppServices) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const operation = res.locals.operation as IHttpOperation | undefined;
    const step = operation?.iid ? STEP_BY_OPERATION[operation.iid] : undefined;
    if (!step) return next();
    const partner = res.locals.partner as Partner | undefined;
    const correlationId =
      step === 'upload'
        ? parseUploadKey(decodeObjectKeyPath(req.path) ?? '')?.correlationId
        : (req.params as Record<string, string | undefined>).correlationId;
    if (!correlationId) return next();
    const partnerId = step === 'upload' ? null : (partner?.clientId ?? '');
    const scenario = await services.scenarios.inForce(correlationId, partnerId);
    if (!scenario) return next();
    res.setHeader(SCENARIO_HEADER, scenario.name);
    const fault = await services.scenarios.takeFault(correlationId, scenario, step);
    if (!fault) return next();
    res.locals.scenarioFault = { scenario: scenario.name, step };
    try {
      await applyFault(req, res, fault, step, scenario.name, next);
    } catch (error) {
      next(error);
    }
  };
}

async function applyFault(
  req: Request,
  res: Response,
  fault: ScenarioFault,
  step: FaultStep,
  scenario: string,
  next: NextFunction,
): Promise<void> {
  // The journal names the scenario as the rule, so a forced refusal is never mistaken for a real one.
  const rule = `scenario:${scenario}`;
  if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault.reset) {
    // A TCP RST, as a crashed proxy or load balancer gives: the client sees ECONNRESET, not an answer.
    req.socket.resetAndDestroy();
    return;
  }
  const retryAfter: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
  if (fault.s3 && step === 'upload') {
    for (const [name, value] of Object.entries(retryAfter)) res.setHeader(name, value);
    if (!req.complete) res.setHeader('Connection', 'close');
    const error =
      fault.s3 === 'SlowDown'
        ? s3Errors.slowDown()
        : fault.s3 === 'ServiceUnavailable'
          ? s3Errors.serviceUnavailable()
          : s3Errors.internalError();
    return sendS3Error(res, { ...error, rule });
  }
  if (fault.problem) {
    const headers: Record<string, string> = { ...retryAfter };
    if (fault.problem === 'invalid-token') {
      headers['WWW-Authenticate'] = bearerChallenge(
        'invalid_token',
        fault.detail ?? 'The access token is invalid.',
      );
    }
    const detail = fault.detail ?? PROBLEMS[fault.problem].detail;
    return next(new ProblemError(fault.problem, { detail, headers }, { rule, message: detail }));
  }
  next();
}
