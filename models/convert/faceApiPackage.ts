import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface SourcePackage {
  name: string;
  version: string;
  licence: string;
  /** Absolute path of the package root. */
  root: string;
  /** Absolute path of its `model/` folder (TF.js manifests and .bin shards). */
  modelDir: string;
}

/** Locates the installed @vladmandic/face-api the way Node would, so hoisting and workspaces just work. */
export function faceApiPackage(): SourcePackage {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('@vladmandic/face-api/package.json');
  const pkg = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    name: string;
    version: string;
    license: string;
  };
  const root = dirname(manifestPath);
  return { name: pkg.name, version: pkg.version, licence: pkg.license, root, modelDir: join(root, 'model') };
}
