// GET /api/ui and GET /api/ui/app.js: the operations page, anonymous (it carries no data: every call it makes
// needs the function key the operator types). The Content-Security-Policy allows only the app's own script and
// API, no framing, and no inline script.
import type { HttpResponseInit } from '@azure/functions';
import { OPERATIONS_PAGE_HTML } from './operationsPageHtml';
import { OPERATIONS_PAGE_SCRIPT } from './operationsPageScript';

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export function getOperationsPage(): HttpResponseInit {
  return { status: 200, body: OPERATIONS_PAGE_HTML, headers: { 'Content-Type': 'text/html; charset=utf-8', ...SECURITY_HEADERS } };
}

export function getOperationsPageScript(): HttpResponseInit {
  return { status: 200, body: OPERATIONS_PAGE_SCRIPT, headers: { 'Content-Type': 'text/javascript; charset=utf-8', ...SECURITY_HEADERS } };
}
