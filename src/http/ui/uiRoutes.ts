// Routes of the operations page (not part of the API, so not in the OpenAPI document).
export const UI_ROUTE = Object.freeze({ page: 'ui', script: 'ui/app.js' } as const);
