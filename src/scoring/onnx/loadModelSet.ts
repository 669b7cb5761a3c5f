import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Calibration } from './calibration.ts';
import { calibrationSchema } from './calibrationSchema.ts';
import {
  byoSectionSchema,
  type ModelSetInput,
  type ModelSetSpec,
  modelSetSpecSchema,
} from './modelSetSpec.ts';

/** The manifest the converter in models/ writes, next to the ONNX files it produced. */
export const DEFAULT_MANIFEST_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../models/manifest.json',
);

/** Name of the model set built from the converted face-api networks. */
export const FACE_API_SET = 'faceapi';

export interface LoadedModelSet {
  name: string;
  spec: ModelSetSpec;
  /** Stable identity: set name plus the start of each model file's sha256; keys the calibration. */
  identity: string;
  calibration?: Calibration;
}

/**
 * Resolve a model set from a manifest: "faceapi" (the converter's `networks`) or a
 * bring-your-own set under `byo.sets`. A partner's own manifest file may hold just
 * `{ "byo": … }` or `{ "sets": … }`. Relative files resolve against the manifest.
 */
export function loadModelSet(manifestPath = DEFAULT_MANIFEST_PATH, setName?: string): LoadedModelSet {
  const manifest = readManifest(manifestPath);
  const base = dirname(manifestPath);
  const byoRaw = manifest.byo ?? (manifest.sets ? { sets: manifest.sets } : undefined);
  const byo = byoRaw ? byoSectionSchema.parse(byoRaw) : undefined;
  const name =
    setName ?? (manifest.networks ? FACE_API_SET : (byo?.default ?? Object.keys(byo?.sets ?? {})[0]));
  if (!name) throw new Error(`${manifestPath} names no model set (no "networks" and no "byo.sets")`);
  let input: ModelSetInput | undefined;
  if (name === FACE_API_SET && manifest.networks) input = faceApiSet(manifest.networks);
  else input = byo?.sets[name];
  if (!input) {
    const known = [manifest.networks ? FACE_API_SET : null, ...Object.keys(byo?.sets ?? {})].filter(Boolean);
    throw new Error(`model set "${name}" is not in ${manifestPath}; known: ${known.join(', ') || 'none'}`);
  }
  const spec = modelSetSpecSchema.parse(input);
  const at = (file: string) => (isAbsolute(file) ? file : resolve(base, file));
  spec.detector.file = at(spec.detector.file);
  spec.recognizer.file = at(spec.recognizer.file);
  if (spec.landmarks) spec.landmarks.file = at(spec.landmarks.file);
  const identity = modelSetIdentity(name, spec);
  // A partner's own manifest rarely carries a calibration; one fitted for the very same
  // files (the identity holds their hashes) in our manifest applies just as well.
  const raw = manifest.calibration?.[identity] ?? defaultCalibrations(manifestPath)?.[identity];
  const stored = raw === undefined ? undefined : parseCalibration(raw, identity, manifestPath);
  return { name, spec, identity, ...(stored ? { calibration: stored } : {}) };
}

function parseCalibration(raw: unknown, identity: string, manifestPath: string): Calibration {
  const parsed = calibrationSchema.safeParse(raw);
  if (parsed.success) return parsed.data as Calibration;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new Error(
    `calibration.${identity} in ${manifestPath} is malformed (${problems}); refit it with bench/scoring/calibrate.ts or remove it`,
  );
}

export function modelSetIdentity(name: string, spec: ModelSetSpec): string {
  const short = (file: string) => sha256(file).slice(0, 8);
  const parts = [`${spec.detector.kind}:${short(spec.detector.file)}`];
  if (spec.landmarks) parts.push(`${spec.landmarks.kind}:${short(spec.landmarks.file)}`);
  parts.push(`${spec.recognizer.kind}:${short(spec.recognizer.file)}`);
  return `onnx/${name}/${parts.join('+')}`;
}

const hashes = new Map<string, string>();
function sha256(file: string): string {
  let h = hashes.get(file);
  if (!h) {
    // In 1 MiB chunks: reading a 22 MB model whole left ~40 MB of RSS behind for good.
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1 << 20);
    const fd = openSync(file, 'r');
    try {
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) hash.update(chunk.subarray(0, n));
    } finally {
      closeSync(fd);
    }
    h = hash.digest('hex');
    hashes.set(file, h);
  }
  return h;
}

interface ManifestShape {
  networks?: Record<string, { file: string }>;
  byo?: unknown;
  sets?: unknown;
  calibration?: Record<string, unknown>;
}

function defaultCalibrations(manifestPath: string): Record<string, unknown> | undefined {
  if (resolve(manifestPath) === DEFAULT_MANIFEST_PATH || !existsSync(DEFAULT_MANIFEST_PATH)) return undefined;
  try {
    return readManifest(DEFAULT_MANIFEST_PATH).calibration;
  } catch {
    return undefined;
  }
}

function readManifest(path: string): ManifestShape {
  return JSON.parse(readFileSync(path, 'utf8')) as ManifestShape;
}

/**
 * The converter's graphs normalise inside the graph and take NCHW RGB 0–255
 * (see models/manifest.json `networks.*.input.normalisation`).
 */
function faceApiSet(networks: Record<string, { file: string }>): ModelSetInput {
  const file = (key: string) => {
    const entry = networks[key];
    if (!entry) throw new Error(`models/manifest.json has no network "${key}"`);
    return entry.file;
  };
  return {
    detector: {
      kind: 'faceapi-tiny',
      file: file('tiny_face_detector'),
      layout: 'nchw',
      normalisedInGraph: true,
    },
    landmarks: {
      kind: 'faceapi-68',
      file: file('face_landmark_68'),
      layout: 'nchw',
      normalisedInGraph: true,
    },
    recognizer: { kind: 'facenet150', file: file('face_recognition'), mean: 0, std: 1, layout: 'nchw' },
  };
}
