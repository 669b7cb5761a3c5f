// Plain JavaScript on purpose: a worker thread does not inherit the parent's TypeScript
// loader (tsx in the CLI, Vite in tests), so it registers tsx itself before importing
// the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./jpeg2000Worker.ts');
