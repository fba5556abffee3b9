// Simulated IoT devices for the local runtime: MQTT devices on the unmodified device SDK and in-emulator
// virtual devices, both running the same device-management sequences (reboot, factoryReset, firmwareUpdate).
export * from './behaviour.js';
export * from './deviceManagement.js';
export * from './scripts.js';
export * from './deviceProgram.js';
export * from './mqttDevice.js';
export * from './virtualDevice.js';
export * from './hubAccess.js';
export * from './fleet.js';
