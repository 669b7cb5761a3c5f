import { type FixtureName, readFixture } from '../../fixtures/index.ts';
import { partnerClient } from './partnerClient.ts';

/**
 * The partner flow up to confirm, as a partner backend runs it: create (with
 * optional Prefer header / referenceId), upload both images, confirm.
 */
export async function startFlow(
  baseUrl: string,
  token: string,
  options: {
    scenario?: string;
    referenceId?: string;
    callbackUrl?: string;
    selfie?: FixtureName;
    document?: FixtureName;
    confirm?: boolean;
  } = {},
) {
  const client = partnerClient(baseUrl, token);
  const created = await client.createSubmission(
    {
      selfieContentType: 'image/png',
      ...(options.referenceId ? { referenceId: options.referenceId } : {}),
      ...(options.callbackUrl ? { callbackUrl: options.callbackUrl } : {}),
    },
    options.scenario ? { prefer: `scenario=${options.scenario}` } : {},
  );
  if (created.response.status !== 201) {
    throw new Error(`create answered ${created.response.status}: ${JSON.stringify(created.body)}`);
  }
  const id = created.body.correlationId;
  const uploads: Array<['SELFIE' | 'DOCUMENT', FixtureName]> = [
    ['SELFIE', options.selfie ?? 'success-selfie'],
    ['DOCUMENT', options.document ?? 'document'],
  ];
  const uploaded: Response[] = [];
  for (const [type, name] of uploads) {
    uploaded.push(await client.upload(client.uploadFor(created.body, type), await readFixture(name)));
  }
  const confirmed = options.confirm === false ? undefined : await client.confirm(id);
  return { client, created, id, uploaded, confirmed };
}
