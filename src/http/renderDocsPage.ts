/**
 * A self-contained API reference rendered from the OpenAPI document at start-up.
 * No CDN-hosted viewer: the mock must work on machines with no internet.
 */
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name?: string; in?: string; required?: boolean; $ref?: string; description?: string }>;
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string; $ref?: string }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export function renderDocsPage(document: unknown): string {
  const doc = document as {
    info?: { title?: string; version?: string; description?: string };
    paths?: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, unknown> };
  };
  const sections: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) sections.push(renderOperation(method, path, op));
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, schema]) =>
        `<h3 id="schema-${esc(name)}">${esc(name)}</h3><pre>${esc(JSON.stringify(schema, null, 2))}</pre>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info?.title ?? 'API')} — reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1d2430}
.op{border:1px solid #d5dae1;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:3.5rem;font-weight:700;text-transform:uppercase}
.get{color:#0b7a3e}.post{color:#1256b0}.put{color:#8a5a00}
pre{background:#f4f6f8;padding:.6rem;overflow:auto;font-size:13px}
code{background:#f4f6f8;padding:0 .2rem}
</style></head><body>
<h1>${esc(doc.info?.title ?? 'API')} <small>${esc(doc.info?.version ?? '')}</small></h1>
<p>Machine-readable document: <a href="/openapi.json">/openapi.json</a></p>
<pre>${esc(doc.info?.description ?? '')}</pre>
<h2>Endpoints</h2>
${sections.join('\n')}
<h2>Schemas</h2>
${schemas}
</body></html>`;
}

function renderOperation(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<li>${p.$ref ? esc(p.$ref.split('/').pop() ?? '') : `<code>${esc(p.name ?? '')}</code> (${esc(p.in ?? '')}${p.required ? ', required' : ''}) ${esc(p.description ?? '')}`}</li>`,
    )
    .join('');
  const bodyTypes = Object.keys(op.requestBody?.content ?? {})
    .map(esc)
    .join(', ');
  const responses = Object.entries(op.responses ?? {})
    .map(
      ([code, r]) => `<li><b>${esc(code)}</b> ${esc(r.description ?? r.$ref?.split('/').pop() ?? '')}</li>`,
    )
    .join('');
  return `<div class="op" id="${esc(op.operationId ?? '')}">
<div><span class="m ${method}">${method}</span> <code>${esc(path)}</code> — ${esc(op.summary ?? '')}</div>
${op.description ? `<p>${esc(op.description)}</p>` : ''}
${params ? `<p>Parameters:</p><ul>${params}</ul>` : ''}
${bodyTypes ? `<p>Request body: ${bodyTypes}</p>` : ''}
<p>Responses:</p><ul>${responses}</ul></div>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
