import type { OnnxGraph } from './onnxGraph.ts';
import type { TfWeightMap } from './tfjsWeights.ts';

export interface TensorContract {
  name: string;
  /** Symbolic dims are strings ("N" = batch). */
  shape: (number | string)[];
  layout: string;
  meaning: string;
}

export interface InputContract extends TensorContract {
  /** What callers must feed and what the graph does with it, precisely. */
  normalisation: {
    where: 'in-graph';
    callerFeeds: string;
    graphComputes: string;
    meanRgb: [number, number, number];
    divisor: number;
  };
  /** Preprocessing that stays outside the graph (face-api's square padding and resize). */
  preprocessing: string;
}

/** Everything the converter and manifest need to know about one face-api network. */
export interface NetworkSpec {
  name: string;
  /** face-api's weights manifest in its `model/` folder. */
  sourceManifest: string;
  /** face-api source files the graph is a port of (for the manifest and for reviewers). */
  sourceFiles: string[];
  /** Where the trained weights come from, as far as face-api's lineage documents it (hedged: not verified here). */
  weightsProvenance: string;
  input: InputContract;
  outputs: TensorContract[];
  /** Extra documentation (e.g. how to decode the detector grid), copied into the manifest. */
  decoding?: Record<string, unknown>;
  build(weights: TfWeightMap): OnnxGraph;
}
