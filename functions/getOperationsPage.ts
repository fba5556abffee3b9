import { app } from '@azure/functions';
import { FUNCTION } from '../src/functionNames';
import { getOperationsPage, getOperationsPageScript } from '../src/http/ui/getOperationsPage';
import { UI_ROUTE } from '../src/http/ui/uiRoutes';

// Anonymous: the page holds no data; it asks the operator for the function key and sends it with each API call.
app.http(FUNCTION.getOperationsPage, { methods: ['GET'], route: UI_ROUTE.page, authLevel: 'anonymous', handler: () => getOperationsPage() });
app.http(FUNCTION.getOperationsPageScript, { methods: ['GET'], route: UI_ROUTE.script, authLevel: 'anonymous', handler: () => getOperationsPageScript() });
