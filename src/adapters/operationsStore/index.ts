export { TableOperationsStore, createTableClient, type OperationsStoreConnection } from './tableOperationsStore';
