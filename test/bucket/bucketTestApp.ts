import express, { type Express } from 'express';
import { type BucketRouterOptions, createBucketRouter } from '../../src/bucket/bucketRouter.ts';
import type { ObjectStore } from '../../src/bucket/ObjectStore.ts';
import { createMemoryObjectStore } from './memoryObjectStore.ts';

export const credentials = { accessKeyId: 'test-access-key', secret: 'test-bucket-secret' };

/**
 * An app shaped like the composition root's: the bucket router first, a JSON parser after it,
 * so the tests also show that parser never sees bucket uploads.
 */
export function bucketTestApp(overrides: Partial<BucketRouterOptions> = {}): {
  app: Express;
  store: ObjectStore;
} {
  const store = overrides.store ?? createMemoryObjectStore();
  const app = express();
  app.use('/bucket', createBucketRouter({ store, credentials, maxObjectBytes: 1024, ...overrides }));
  app.use(express.json());
  return { app, store };
}

/** The element the partner's SDK would read, e.g. xmlElement(body, 'Code'); text unescaped. */
export function xmlElement(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A path+query for supertest out of an absolute presigned URL. */
export function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

export const inAnHour = () => new Date(Date.now() + 3_600_000);
