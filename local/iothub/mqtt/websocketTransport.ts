// MQTT over WebSockets: IoT Hub serves it on port 443 at `/$iothub/websocket` with the `mqtt` subprotocol
// (iot-mqtt-connect-to-iot-hub.md "Using the MQTT protocol directly": "port 443 … the path /$iothub/websocket";
// the device SDK's MqttWs dials wss://<host>:443/$iothub/websocket, azure-iot-device-mqtt mqtt_ws.js). The
// HTTPS listener hands such upgrades here; each WebSocket becomes a byte stream for the same broker as MQTT over TLS,
// so authentication, topics and sessions are identical.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';

export const MQTT_WEBSOCKET_PATH = '/$iothub/websocket';
const MQTT_SUBPROTOCOL = 'mqtt';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface MqttWebSocketTransport {
  upgrade: UpgradeHandler;
  close(): void;
}

/** `handleStream` receives each accepted connection's byte stream (the broker's `handle`). */
export function createMqttWebSocketTransport(handleStream: (stream: Duplex) => void): MqttWebSocketTransport {
  const server = new WebSocketServer({
    noServer: true,
    // The hub speaks only MQTT here; a client that does not offer the subprotocol is refused at the handshake.
    handleProtocols: (protocols) => (protocols.has(MQTT_SUBPROTOCOL) ? MQTT_SUBPROTOCOL : false),
  });
  return {
    upgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'https://emulator.invalid').pathname;
      if (path !== MQTT_WEBSOCKET_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      server.handleUpgrade(request, socket, head, (webSocket) => {
        const stream = createWebSocketStream(webSocket);
        // A dropped WebSocket surfaces as a stream error; the broker sees the close either way.
        stream.on('error', () => stream.destroy());
        handleStream(stream);
      });
    },
    close() {
      for (const client of server.clients) client.terminate();
      server.close();
    },
  };
}
