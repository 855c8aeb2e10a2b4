// One MQTT CONNECT from a chosen local address (any 127.x address is this
// machine, so a test or bench can be several hosts at once); resolves with the
// CONNACK return code (-1 if the broker closed without one).
import { connect } from 'node:net';
import mqttPacket from 'mqtt-packet';

export function mqttLogin(port: number, from: string, username: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: from });
    const parser = mqttPacket.parser();
    parser.on('packet', (p) => {
      socket.destroy();
      resolve((p as { returnCode: number }).returnCode);
    });
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(-1));
    socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: username, keepalive: 30, username, password: Buffer.from(password) }));
  });
}
