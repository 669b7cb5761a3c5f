import express, { type Router } from 'express';
import type { Partner } from '../../auth/Partner.ts';
import { decodeBase64Image } from '../../modules/decodeBase64Image.ts';
import type { BiometricPair, FacematchModuleResult } from '../../modules/scoreFacematchModule.ts';
import type { AppServices } from '../AppServices.ts';
import type { components } from '../generated/openapi.ts';
import { type FieldError, ProblemError } from '../ProblemError.ts';
import { requireBearer } from '../requireBearer.ts';
import { SCENARIO_HEADER } from '../scenarioFaults.ts';

type Schemas = components['schemas'];

/** The operationId whose body limit is its own (see createApp). */
export const FACEMATCH_MODULE_OPERATION = 'runFacematchModule';

const IMAGE_FIELDS = [
  ['face1Image', 'The selfie'],
  ['face2Image', 'The anchor image'],
] as const;

/**
 * The synchronous Facematch module. The contract check has already vouched
 * for the body's shape; this decodes the images, hands the pairs to
 * src/modules/, and renders the module's answer.
 */
export function moduleRoutes(services: AppServices): Router {
  const router = express.Router();
  router.use('/v1/modules', requireBearer(services.tokens));

  router.post('/v1/modules/facematch', async (req, res) => {
    const request = req.body as Schemas['FacematchModuleRequest'];
    const pairs = decodePairs(request.context.subject.biometrics, services.settings.maxImageBytes);
    const partner = res.locals.partner as Partner;
    const answer = await services.modules.facematch(partner.clientId, pairs, req.get('Prefer'));
    if (answer.kind === 'unknown-scenario') {
      const message = `No scenario "${answer.name}" in the Prefer header; known: ${answer.known.join(', ')}.`;
      throw new ProblemError('unknown-scenario', {
        detail: message,
        errors: [{ location: 'header', field: 'Prefer', message }],
        knownScenarios: answer.known,
      });
    }
    const { result, scenario } = answer;
    if (scenario) res.set({ 'Preference-Applied': `scenario=${scenario}`, [SCENARIO_HEADER]: scenario });
    logInconclusive(services, partner, request.resourceId, result);
    const body: Schemas['FacematchModuleResponse'] = {
      response: { advice: { score: result.score }, outcome: result.outcome },
    };
    res.json(body);
  });

  return router;
}

/** Every image decoded, or one problem naming every field that is wrong. */
function decodePairs(items: Schemas['FacematchBiometricPair'][], maxImageBytes: number): BiometricPair[] {
  const errors: FieldError[] = [];
  let tooLarge = false;
  let invalid = false;
  const pairs = items.map((item, index) => {
    const [selfie, anchor] = IMAGE_FIELDS.map(([field, what]) => {
      const decoded = decodeBase64Image(item[field], maxImageBytes);
      if (decoded.ok) return decoded.bytes;
      if (decoded.problem === 'too-large') tooLarge = true;
      else invalid = true;
      errors.push({
        location: 'body',
        field: `/context/subject/biometrics/${index}/${field}`,
        message: `${what} ${decoded.message}.`,
      });
      return Buffer.alloc(0);
    }) as [Buffer, Buffer];
    return { selfie, anchor };
  });
  // A value that is not base64 is the thing to fix first; an oversize image only once the rest is right.
  if (invalid) throw new ProblemError('validation-failed', { errors });
  if (tooLarge) {
    throw new ProblemError('payload-too-large', {
      detail: `An image is larger than ${maxImageBytes} bytes once decoded (config \`bucket.maxObjectBytes\`); send a smaller image.`,
      errors,
    });
  }
  return pairs;
}

/** The module's answer carries no reasons, so the log says why a pair could not be compared. */
function logInconclusive(
  services: AppServices,
  partner: Partner,
  resourceId: string,
  result: FacematchModuleResult,
): void {
  for (const [index, item] of result.items.entries()) {
    if (item.score !== 0) continue;
    const why = item.reasons.map((r) => `${r.code}: ${r.message}`).join('; ') || 'no reason given';
    services.log.info(
      `facematch module, partner ${partner.clientId}, resourceId ${resourceId}, item ${index}: score 0 (${why})`,
    );
  }
}
