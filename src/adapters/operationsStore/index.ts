export { TableOperationsStore } from './tableOperationsStore';
export { TableDeviceLeaseStore } from './tableDeviceLeaseStore';
export { createTableClient, type TableConnection } from '../tables/tableClient';
