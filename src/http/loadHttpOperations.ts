import { createRequire } from 'node:module';
import type { IHttpOperation } from '@stoplight/types';

/*
 * Prism's getHttpOperationsFromSpec also loads its Swagger 2 and Postman converters (postman-collection
 * alone is about a tenth of our start-up CPU) for formats we never read. For OpenAPI 3 it uses three
 * modules; they are resolved from Prism's own package, so they are the very copies it would use.
 */
const fromPrism = createRequire(createRequire(import.meta.url).resolve('@stoplight/prism-http'));
const { transformOas3Operations } = fromPrism('@stoplight/http-spec/oas3/operation') as {
  transformOas3Operations(document: object): IHttpOperation[];
};
const RefParser = fromPrism('@stoplight/json-schema-ref-parser') as new () => {
  dereference(document: object): Promise<object>;
};
const { bundleTarget, decycle } = fromPrism('@stoplight/json') as {
  decycle<T>(value: T): T;
  bundleTarget(input: { document: object; path: string; cloneDocument: boolean }): IHttpOperation;
};

/**
 * The operations of a parsed OpenAPI 3 document in the shape Prism's router and validators take:
 * references resolved, and each operation carrying the components it refers to.
 */
export async function loadHttpOperations(document: object): Promise<IHttpOperation[]> {
  // The resolver rewrites the document in place; the caller's copy stays as it was.
  const resolved = decycle(await new RefParser().dereference(structuredClone(document)));
  return transformOas3Operations(resolved).map((operation) =>
    bundleTarget({
      document: { ...resolved, __target__: operation },
      path: '#/__target__',
      cloneDocument: false,
    }),
  );
}
