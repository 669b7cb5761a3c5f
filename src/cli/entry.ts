import { main } from './main.ts';

// The process entry point: the Docker image runs its compiled form (dist/cli/entry.js) with
// node directly, and the launcher (facematch-mock.js) imports it.
const code = await main(process.argv.slice(2));
// A failed start may leave handles open (a model worker, a half-read data dir): exit regardless.
if (code !== 0) process.exit(code);
