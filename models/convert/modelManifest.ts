import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { SourcePackage } from './faceApiPackage.ts';
import type { NetworkSpec } from './networkSpec.ts';
import { OPSET } from './onnxGraph.ts';

export const MODELS_DIR = fileURLToPath(new URL('..', import.meta.url));
export const MANIFEST_PATH = fileURLToPath(new URL('../manifest.json', import.meta.url));

/** What manifest.json says about one converted network. Paths are relative to `models/`. */
export interface NetworkEntry {
  file: string;
  sha256: string;
  bytes: number;
  format: string;
  input: NetworkSpec['input'];
  outputs: NetworkSpec['outputs'];
  decoding?: Record<string, unknown>;
  source: {
    package: string;
    version: string;
    files: string[];
    licence: string;
    weightsLicence: string;
    weightsProvenance: string;
  };
}

/**
 * The manifest is shared: other modules add their own top-level keys (`calibration`, `byo`), so it
 * is always read, patched under `networks` only, and written back whole.
 */
export type ModelManifest = Record<string, unknown> & { networks?: Record<string, NetworkEntry> };

export async function readManifest(path = MANIFEST_PATH): Promise<ModelManifest> {
  if (!existsSync(path)) return {};
  return JSON.parse(await readFile(path, 'utf8')) as ModelManifest;
}

export async function writeNetworkEntries(entries: Record<string, NetworkEntry>, path = MANIFEST_PATH) {
  // Re-read right before writing so a key another tool added meanwhile is not lost.
  const current = await readManifest(path);
  const next: ModelManifest = { ...current, networks: { ...(current.networks ?? {}), ...entries } };
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(next, null, 2)}\n`);
  await rename(temp, path);
  formatLikeTheRepo(path);
}

/**
 * The repo lints JSON with Biome, whose layout JSON.stringify cannot reproduce; let Biome lay the file
 * out when it is installed (it is a dev dependency, so only where someone edits the manifest).
 */
function formatLikeTheRepo(path: string) {
  let biome: string;
  try {
    biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  } catch {
    return;
  }
  spawnSync(process.execPath, [biome, 'format', '--write', path], { stdio: 'ignore' });
}

export function onnxFile(spec: NetworkSpec): string {
  return `onnx/${spec.name}.onnx`;
}

export function networkEntry(
  spec: NetworkSpec,
  source: SourcePackage,
  sha256: string,
  bytes: number,
): NetworkEntry {
  return {
    file: onnxFile(spec),
    sha256,
    bytes,
    format: `ONNX, IR version 8, opset ${OPSET}, float32`,
    input: spec.input,
    outputs: spec.outputs,
    ...(spec.decoding ? { decoding: spec.decoding } : {}),
    source: {
      package: source.name,
      version: source.version,
      files: spec.sourceFiles,
      licence: `${source.licence} (${source.name}; the converter and the ONNX graphs are this project's, MIT)`,
      weightsLicence:
        `${source.name} ships the weights in its model/ folder under its ${source.licence} licence and states no ` +
        'separate licence for them (its README: "Pretrained models and their weights are included in ./model").',
      weightsProvenance: spec.weightsProvenance,
    },
  };
}
