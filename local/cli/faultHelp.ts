// The banner's "drive every outcome" section: the IoT Hub emulator's admin API (faults, tagged identities) with
// ready-to-paste curl lines, and the npm start flags for device behaviours.
import type { LocalStack } from '../stack';

export function faultHelpLines(stack: LocalStack): string[] {
  const admin = `https://${stack.iothub.hostName}:${stack.iothub.httpsPort}/_emulator`;
  const device = stack.deviceIds[1] ?? stack.deviceIds[0] ?? 'sim-002';
  const curl = `curl -s --cacert "$CA" -H "x-emulator-admin-key: $ADMIN_KEY" -H "content-type: application/json"`;
  return [
    'Faults and tags (IoT Hub emulator admin API):',
    `  ADMIN=${admin}`,
    `  ADMIN_KEY='${stack.iothub.adminKey}'`,
    `  CA=${stack.iothub.caCertPath}`,
    `  # ${device} answers the method with 403 (outcome Rejected); DELETE the same URL clears a fault`,
    `  ${curl} -X PUT "$ADMIN/faults/devices/${device}" -d '{"kind":"methodStatus","status":403}'`,
    `  # ${device} is offline (DeviceOffline), or answers after a delay`,
    `  ${curl} -X PUT "$ADMIN/faults/devices/${device}" -d '{"kind":"offline"}'`,
    `  ${curl} -X PUT "$ADMIN/faults/devices/${device}" -d '{"kind":"methodDelay","ms":40000}'`,
    '  # the next 3 service calls are throttled (429), or fail with 503',
    `  ${curl} -X PUT "$ADMIN/faults/hub" -d '{"kind":"throttle","count":3}'`,
    `  ${curl} -X PUT "$ADMIN/faults/hub" -d '{"kind":"serverError","status":503,"count":3}'`,
    '  # register identities with twin tags (for the report\'s tagName/tagValue filter)',
    `  ${curl} -X POST "$ADMIN/devices" -d '{"deviceIds":["north-001"],"tags":{"site":"north"}}'`,
    'Device behaviours from the start: npm start -- --reject sim-002 --offline sim-003 --never-returns sim-004',
    '  --report-failure sim-005 --tags site=north   (--quiet: no log lines; --json: log lines as JSON)',
  ];
}
