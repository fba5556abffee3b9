// Loaded with the other entry points: validates the app settings while the app loads, so a missing or
// malformed setting stops the app with one line naming it instead of failing every invocation later.
import { appServices } from '../src/services';

appServices();
