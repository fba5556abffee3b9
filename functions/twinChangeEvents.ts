// Twin change events routed from IoT Hub (route source TwinChangeEvents → an Event Hubs-compatible endpoint) wake
// the running operation of the device. Registered only when IOTHUB_EVENTS_CONNECTION (or its identity-based form
// IOTHUB_EVENTS_CONNECTION__fullyQualifiedNamespace) is set; without it operations poll, as before.
import * as df from 'durable-functions';
import { FUNCTION } from '../src/functionNames';
import { handleTwinChangeEvents } from '../src/events/twinChangeFunction';
import { appServices } from '../src/services';

const events = appServices().config.twinEvents;
if (events !== null) {
  df.app.client.eventHub(FUNCTION.twinChangeEvents, {
    connection: events.connection,
    eventHubName: events.eventHubName,
    consumerGroup: events.consumerGroup,
    cardinality: 'many',
    handler: (messages, client, context) => handleTwinChangeEvents(messages, client, context, appServices().leases),
  });
}
