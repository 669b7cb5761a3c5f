// Plain JavaScript on purpose: a child process does not inherit the parent's TypeScript loader
// (tsx in the CLI, Vite in tests), so it registers tsx itself before importing the TypeScript child.
import { register } from 'tsx/esm/api';

register();
await import('./pactVerifierChild.ts');
