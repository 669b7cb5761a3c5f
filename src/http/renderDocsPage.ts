/**
 * The API reference page: Swagger UI (swagger-ui-dist, from the npm registry)
 * rendering our own OpenAPI documents. Its files are served by this server
 * from /docs/<file>, never from a CDN, so the reference works offline.
 * With more than one document (e.g. an admin API) a selector appears.
 */
export interface DocsSpec {
  name: string;
  url: string;
}

export function renderDocsPage(title: string, specs: readonly DocsSpec[]): string {
  const config = {
    dom_id: '#reference',
    ...(specs.length === 1 ? { url: specs[0]?.url } : { urls: specs, 'urls.primaryName': specs[0]?.name }),
    deepLinking: true,
    displayOperationId: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    // The default would send the document to an online validator.
    validatorUrl: null,
    tryItOutEnabled: false,
  };
  // The config is JSON inside a <script>: `<` is escaped so no value can close the element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  const layout = specs.length > 1 ? 'StandaloneLayout' : 'BaseLayout';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
<style>body{margin:0}</style>
</head><body>
<noscript>The reference needs JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="reference"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle(Object.assign(${json}, {
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: ${JSON.stringify(layout)}
}));
</script>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
