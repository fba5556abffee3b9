import { app } from '@azure/functions';
import { FUNCTION } from '../src/functionNames';
import { getOpenApiDocument } from '../src/http/openApiDocument';
import { ROUTE } from '../src/http/routes';

// Anonymous: a Logic Apps custom connector imports it before it has a key.
app.http(FUNCTION.getOpenApiDocument, {
  methods: ['GET'],
  route: ROUTE.openApi,
  authLevel: 'anonymous',
  handler: (request) => getOpenApiDocument(request),
});
