#!/usr/bin/env node
// The installed command: tsx runs the TypeScript sources directly, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2));
// A failed start may leave handles open (a model worker, a half-read data dir): exit regardless.
if (code !== 0) process.exit(code);
