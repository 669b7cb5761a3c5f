/**
 * `npm run models` (also the postinstall hook): turns face-api's TF.js weights into our ONNX graphs
 * under models/onnx/ and checks each file against the sha256 committed in models/manifest.json.
 *
 *   npm run models                        convert what is missing or stale, verify, never touch the manifest
 *   npm run models -- --force             reconvert everything even when the files are up to date
 *   npm run models -- --update-manifest   accept the converter's output as the new truth (after changing the
 *                                         converter or upgrading @vladmandic/face-api) and rewrite the entries
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { convertNetwork, sha256 } from './convertNetwork.ts';
import { faceApiPackage } from './faceApiPackage.ts';
import {
  MODELS_DIR,
  type NetworkEntry,
  networkEntry,
  onnxFile,
  readManifest,
  writeNetworkEntries,
} from './modelManifest.ts';
import { NETWORKS } from './networks.ts';

const log = (line: string) => process.stderr.write(`[models] ${line}\n`);

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--force' && a !== '--update-manifest');
  if (unknown.length > 0) {
    log(`unknown argument(s): ${unknown.join(' ')} (expected --force and/or --update-manifest)`);
    return 2;
  }
  const force = argv.includes('--force');
  const update = argv.includes('--update-manifest');
  const source = faceApiPackage();
  const manifest = await readManifest();
  const updated: Record<string, NetworkEntry> = {};
  const problems: string[] = [];

  for (const spec of NETWORKS) {
    const entry = manifest.networks?.[spec.name];
    const target = join(MODELS_DIR, onnxFile(spec));
    if (!force && !update && entry && existsSync(target) && sha256(await readFile(target)) === entry.sha256) {
      log(`${spec.name}: up to date (${entry.sha256.slice(0, 12)}…)`);
      continue;
    }
    const started = performance.now();
    const converted = await convertNetwork(spec, source);
    const ms = Math.round(performance.now() - started);
    if (!update) {
      if (entry === undefined) {
        problems.push(
          `${spec.name}: models/manifest.json has no entry. Run \`npm run models -- --update-manifest\`.`,
        );
        continue;
      }
      if (entry.sha256 !== converted.sha256) {
        problems.push(
          `${spec.name}: converted file has sha256 ${converted.sha256} but models/manifest.json expects ` +
            `${entry.sha256} (manifest made from ${entry.source.package}@${entry.source.version}, installed ` +
            `${source.name}@${source.version}). If you changed the converter or upgraded face-api on purpose, ` +
            'run `npm run models -- --update-manifest`, re-run `npx vitest run test/models` and commit ' +
            'models/manifest.json; otherwise reinstall the face-api version named in the manifest.',
        );
        continue;
      }
    }
    await mkdir(dirname(target), { recursive: true });
    // Write then rename, so a reader never sees a half-written model under the final name.
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, converted.bytes);
    await rename(temp, target);
    log(`${spec.name}: wrote ${onnxFile(spec)} (${(converted.bytes.length / 1e6).toFixed(1)} MB, ${ms} ms)`);
    if (update) updated[spec.name] = networkEntry(spec, source, converted.sha256, converted.bytes.length);
  }

  if (update) {
    await writeNetworkEntries(updated);
    log(`updated models/manifest.json (${Object.keys(updated).join(', ')})`);
  }
  for (const problem of problems) log(`ERROR ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
