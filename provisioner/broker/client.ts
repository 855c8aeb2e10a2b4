import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/**
 * A broker client for one of the host's own components (presence, the
 * dashboard, flashing's birth watch), logged in on a service account. The
 * client id is `<account>-<component>` (the broker's rule for service
 * accounts), so the components of one process never take over each other's
 * session; sessions are clean because these clients only follow live and
 * retained state.
 */
export function connectBrokerClient(
  url: string,
  credentials: { username: string; password: string },
  component: string,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    clientId: `${credentials.username}-${component}`,
    username: credentials.username,
    password: credentials.password,
    clean: true,
    reconnectPeriod: 1000,
    ...extra,
  });
}
