import { main } from './main.ts';

// The process entry point: the Docker image runs its compiled form (dist/cli/entry.js) with
// node directly, and the launcher (facematch-mock.js) imports it.
process.exitCode = await main(process.argv.slice(2));
