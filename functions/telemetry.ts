// Loaded with the other entry points: starts Application Insights telemetry when
// APPLICATIONINSIGHTS_CONNECTION_STRING is set (src/telemetry), and does nothing otherwise.
import { app } from '@azure/functions';
import { startTelemetry } from '../src/telemetry/startTelemetry';

startTelemetry(process.env, app.hook);
