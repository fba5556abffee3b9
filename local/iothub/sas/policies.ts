// The five shared access policies every IoT hub is created with, and their permissions
// (azure-docs articles/iot-hub/iot-hub-dev-guide-sas.md "IoT hub-level shared access policies").
import { randomBytes } from 'node:crypto';

export type Permission = 'RegistryRead' | 'RegistryWrite' | 'ServiceConnect' | 'DeviceConnect';
export type PolicyName = 'iothubowner' | 'service' | 'device' | 'registryRead' | 'registryReadWrite';
export type ServicePolicyName = Exclude<PolicyName, 'device'>;

export const POLICY_PERMISSIONS: Readonly<Record<PolicyName, readonly Permission[]>> = {
  iothubowner: ['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect'],
  service: ['ServiceConnect'],
  device: ['DeviceConnect'],
  registryRead: ['RegistryRead'],
  registryReadWrite: ['RegistryRead', 'RegistryWrite'],
};

export const POLICY_NAMES = Object.keys(POLICY_PERMISSIONS) as PolicyName[];

export interface SharedAccessPolicy {
  name: PolicyName;
  key: string;
  permissions: ReadonlySet<Permission>;
}

/** A 256-bit symmetric key in base64, the form the portal generates. */
export function generateSymmetricKey(): string {
  return randomBytes(32).toString('base64');
}

export class SharedAccessPolicies {
  private readonly byName = new Map<string, SharedAccessPolicy>();

  constructor(keys: Partial<Record<PolicyName, string>> = {}) {
    for (const name of POLICY_NAMES) {
      this.byName.set(name, { name, key: keys[name] ?? generateSymmetricKey(), permissions: new Set(POLICY_PERMISSIONS[name]) });
    }
  }

  get(name: string): SharedAccessPolicy | undefined {
    return this.byName.get(name);
  }

  keyOf(name: PolicyName): string {
    return (this.byName.get(name) as SharedAccessPolicy).key;
  }
}
