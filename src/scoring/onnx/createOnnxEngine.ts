import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../image/decodeImage.ts';
import type { ImageRole, Reason, ScoreResult, ScoringEngine } from '../ScoringEngine.ts';
import { analyseImage, type FacePipeline, type ImageVerdict } from './analyseImage.ts';
import { type Calibration, defaultCalibration, pairQuality, scoreFromDistance } from './calibration.ts';
import { createFaceDetector } from './createFaceDetector.ts';
import { createFaceRecognizer } from './createFaceRecognizer.ts';
import { embeddingDistance } from './embeddingDistance.ts';
import { createFaceApiLandmarker } from './faceApiLandmarker.ts';
import { createInferenceLimiter } from './inferenceLimiter.ts';
import { DEFAULT_MANIFEST_PATH, loadModelSet } from './loadModelSet.ts';
import { DEFAULT_QUALITY_LIMITS, type QualityLimits } from './qualityLimits.ts';
import type { StartWorker } from './workerPoolEngine.ts';

export interface OnnxEngineOptions {
  /** Manifest naming the models; default models/manifest.json. */
  manifestPath?: string;
  /** Model set in that manifest: "faceapi" (default when converted) or a `byo.sets` name. */
  modelSet?: string;
  /** Threads per inference; 1 lets `concurrency` comparisons use separate cores. Default 1. */
  intraOpNumThreads?: number;
  /** ORT's CPU memory arena (faster by a few %, but holds peak activation memory forever). Default false. */
  memoryArena?: boolean;
  /**
   * Worker threads, each with its own sessions (~110 MB): 0 (default) runs the models in the
   * calling thread. onnxruntime-node executes each `run` on the thread that calls it, so
   * in-thread every model run (5–25 ms) holds the event loop; in workers it never does, and
   * one worker per core (`inferenceWorkerCount('auto')`) uses every core. See `workerPoolEngine.ts`.
   */
  workers?: number;
  /** With `workers`: how a worker thread is started (tests keep it to end it mid-work). */
  startWorker?: StartWorker;
  /** With `workers`: told when a worker stops unexpectedly and is replaced. */
  warn?: (message: string) => void;
  /**
   * Comparisons in flight at once: in-thread, default 2 (one per core of the reference machine);
   * with `workers`, per worker, default 1.
   */
  concurrency?: number;
  /** Comparisons allowed to wait (for the whole pool); beyond that `score` rejects with EngineBusyError. Default 64. */
  maxQueue?: number;
  /** Overrides the calibration stored in the manifest (calibration scripts use this). */
  calibration?: Calibration;
  qualityLimits?: Partial<QualityLimits>;
  decodeLimits?: Partial<DecodeLimits>;
}

export interface OnnxEngine extends ScoringEngine {
  /** Model set identity (keys the calibration in the manifest). */
  readonly identity: string;
  readonly calibration: Calibration;
  /** One upload on its own (descriptor included): calibration fits on every image pair from one pass. */
  analyse(bytes: Buffer, role: ImageRole): Promise<ImageVerdict>;
  /** Distance between the two uploads' descriptors, or null when inconclusive; for calibration and benches. */
  compare(selfie: Buffer, document: Buffer): Promise<ScoreResult & { distance: number | null }>;
}

/**
 * The real engine: face detection, alignment and descriptors on onnxruntime-node.
 * Sessions open once and are shared by every comparison of their thread. With `workers` they
 * live in a pool of worker threads (see `workerPoolEngine.ts`); otherwise in the caller's thread.
 */
export async function createOnnxEngine(options: OnnxEngineOptions = {}): Promise<OnnxEngine> {
  const { workers = 0, startWorker, warn, ...engine } = options;
  if (workers > 0) {
    const { createWorkerPoolEngine } = await import('./workerPoolEngine.ts');
    return createWorkerPoolEngine({
      ...engine,
      workers,
      ...(startWorker ? { startWorker } : {}),
      ...(warn ? { warn } : {}),
    });
  }
  return createInThreadEngine(engine);
}

/** The engine in the calling thread; `createOnnxEngine` and the worker both build on it. */
export async function createInThreadEngine(options: OnnxEngineOptions = {}): Promise<OnnxEngine> {
  const set = loadModelSet(options.manifestPath ?? DEFAULT_MANIFEST_PATH, options.modelSet);
  const session = {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    memoryArena: options.memoryArena ?? false,
  };
  // One after another: ORT's transient load-time copies of a model (file bytes, parsed
  // protobuf, optimised graph) would otherwise all coexist and set the peak RSS.
  const detector = await createFaceDetector(set.spec.detector, session);
  const recognizer = await createFaceRecognizer(set.spec.recognizer, set.spec.recognizer.kind, session);
  const landmarker = set.spec.landmarks
    ? await createFaceApiLandmarker(set.spec.landmarks, session)
    : undefined;
  const pipeline: FacePipeline = {
    detector,
    recognizer,
    ...(landmarker ? { landmarker } : {}),
    decodeLimits: { ...DEFAULT_DECODE_LIMITS, ...options.decodeLimits },
    qualityLimits: { ...DEFAULT_QUALITY_LIMITS, ...options.qualityLimits },
  };
  const calibration =
    options.calibration ?? set.calibration ?? defaultCalibration(set.identity, recognizer.metric);
  const limiter = createInferenceLimiter(options.concurrency ?? 2, options.maxQueue ?? 64);
  const engineName = `${set.identity}${calibration.figures ? '' : ' (uncalibrated)'}`;

  async function compare(selfie: Buffer, document: Buffer) {
    return limiter.run(async () => {
      // Sequential on purpose: the limiter already runs `concurrency` comparisons side by side.
      const s = await analyseImage(selfie, 'SELFIE', pipeline);
      const d = await analyseImage(document, 'DOCUMENT', pipeline);
      const warnings: Reason[] = [...s.warnings, ...d.warnings];
      const blocking: Reason[] = [...s.blocking, ...d.blocking];
      const common = { selfie: s.analysis, document: d.analysis, engine: engineName };
      if (blocking.length > 0 || !s.descriptor || !d.descriptor) {
        return { ...common, score: 0, reasons: [...blocking, ...warnings], distance: null };
      }
      const distance = embeddingDistance(s.descriptor, d.descriptor, recognizer.metric);
      // Poor images get their quality band's stricter knots, when the calibration has bands.
      const quality = pairQuality(s.analysis?.face, d.analysis?.face);
      return {
        ...common,
        score: scoreFromDistance(calibration, distance, quality),
        reasons: warnings,
        distance,
      };
    });
  }

  return {
    name: 'onnx',
    identity: set.identity,
    calibration,
    compare,
    analyse: (bytes, role) => limiter.run(() => analyseImage(bytes, role, pipeline)),
    async score(selfie: Buffer, document: Buffer): Promise<ScoreResult> {
      const { distance: _distance, ...result } = await compare(selfie, document);
      return result;
    },
    async close() {
      await Promise.all([detector.close(), recognizer.close(), landmarker?.close()]);
    },
  };
}
