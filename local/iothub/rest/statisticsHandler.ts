// GET /statistics/devices: {totalDeviceCount, enabledDeviceCount, disabledDeviceCount}.
import type { IotHub } from '../hub';
import type { RestResult } from './restTypes';

export function getDeviceStatistics(hub: IotHub): RestResult {
  return { status: 200, body: hub.registry.statistics() };
}
