// A throw-away certificate authority and a server certificate it signs, made with node-forge.
// RSA keys come from Node's native generator (forge's pure-JS RSA keygen takes seconds). Tests start many
// emulators in one process, so the material is made once per process and host name and then reused: it only
// ever lives in memory and in the PEM file each emulator writes (and removes) itself.
import { generateKeyPair, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import forge from 'node-forge';

export interface ServerCertificate {
  /** PEM of the CA; clients trust this (NODE_EXTRA_CA_CERTS or the `ca` option). */
  caCertPem: string;
  /** PEM of the server certificate (SAN: localhost, 127.0.0.1, ::1 and the hub host name). */
  certPem: string;
  /** PEM (PKCS#8) of the server certificate's private key. */
  keyPem: string;
}

interface KeyPairPem {
  publicKey: string;
  privateKey: string;
}

let keyPairs: Promise<[KeyPairPem, KeyPairPem]> | undefined;

function rsaKeyPair(): Promise<KeyPairPem> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } },
      (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey })),
    );
  });
}

/** The CA key pair and the server key pair, generated once per process (in parallel, off the main thread). */
function processKeyPairs(): Promise<[KeyPairPem, KeyPairPem]> {
  if (!keyPairs) {
    keyPairs = Promise.all([rsaKeyPair(), rsaKeyPair()]);
    keyPairs.catch(() => {
      keyPairs = undefined;
    });
  }
  return keyPairs;
}

function serialNumber(): string {
  // Positive (high bit clear) 16-byte serial, as RFC 5280 requires.
  const bytes = randomBytes(16);
  bytes.writeUInt8(bytes.readUInt8(0) & 0x7f, 0);
  return bytes.toString('hex');
}

const issued = new Map<string, Promise<ServerCertificate>>();

/** The CA and server certificate for `hostName`, issued on first use in this process. */
export function serverCertificateFor(hostName: string): Promise<ServerCertificate> {
  let certificate = issued.get(hostName);
  if (!certificate) {
    certificate = createServerCertificate(hostName);
    issued.set(hostName, certificate);
    certificate.catch(() => issued.delete(hostName));
  }
  return certificate;
}

export async function createServerCertificate(hostName: string): Promise<ServerCertificate> {
  const [caPair, serverPair] = await processKeyPairs();
  const caKey = forge.pki.privateKeyFromPem(caPair.privateKey);
  const now = Date.now();
  // Back-date a little so clocks that are slightly apart still accept the certificates.
  const notBefore = new Date(now - 60 * 60 * 1000);

  const ca = forge.pki.createCertificate();
  ca.publicKey = forge.pki.publicKeyFromPem(caPair.publicKey);
  ca.serialNumber = serialNumber();
  ca.validity.notBefore = notBefore;
  ca.validity.notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000);
  const caName = [
    { name: 'commonName', value: 'IoT Hub Emulator Local CA' },
    { name: 'organizationName', value: 'iot-device-reboot local emulator' },
  ];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKey, forge.md.sha256.create());

  const altNames: { type: number; value?: string; ip?: string }[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (hostName !== 'localhost' && hostName !== '127.0.0.1' && hostName !== '::1') {
    altNames.push(net.isIP(hostName) ? { type: 7, ip: hostName } : { type: 2, value: hostName });
  }
  const server = forge.pki.createCertificate();
  server.publicKey = forge.pki.publicKeyFromPem(serverPair.publicKey);
  server.serialNumber = serialNumber();
  server.validity.notBefore = notBefore;
  server.validity.notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000);
  server.setSubject([{ name: 'commonName', value: hostName }]);
  server.setIssuer(caName);
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(caKey, forge.md.sha256.create());

  return {
    caCertPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(server),
    keyPem: serverPair.privateKey,
  };
}
