// Station and host accounts on an external mosquitto through its
// dynamic-security plugin, for sites that run their broker themselves
// (`deskphone broker external`). The registry stays the record of which
// desks exist; every secret it issues goes to the broker as the same
// username and password, and every station gets a role of its own that allows
// what provisioner/broker/acl.ts allows it on the embedded broker.
//
// mosquitto 2.0's dynamic-security substitutes no %u or %c in ACL topics
// (measured on Debian's 2.0.11: a role with dp/v1/st/%u/dn/# grants nothing),
// hence one role per station. Commands go in batches, one control message and
// one answer per batch (https://mosquitto.org/documentation/dynamic-security/).
import mqtt, { type MqttClient } from 'mqtt';
import { DOWN, HOST_PRESENCE, ROOT, UP, downFilter, downTopic, upTopic } from '../../protocol/topics.ts';
import { UserError } from '../../lib/user-error.ts';
import { ADMIN_DOWN_KINDS } from './acl.ts';

const CONTROL = '$CONTROL/dynamic-security/v1';
/** Commands per control message: each answer lists every command, so a batch stays well below any packet limit. */
const BATCH = 200;
const ANSWER_TIMEOUT_MS = 120_000;

export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

interface Acl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribePattern' | 'subscribeLiteral' | 'unsubscribePattern';
  topic: string;
  allow: boolean;
}

const roleOf = (username: string) => `deskphone-${username}`;

/** The station's rights as on the embedded broker: its own dn/# and the host presence to read, its own up/<kind> to write. */
function stationAcls(id: string): Acl[] {
  const read = [downFilter(id), HOST_PRESENCE];
  return [
    ...read.flatMap((topic): Acl[] => [
      { acltype: 'subscribePattern', topic, allow: true },
      { acltype: 'publishClientReceive', topic, allow: true },
    ]),
    ...Object.keys(UP).map((kind): Acl => ({ acltype: 'publishClientSend', topic: upTopic(id, kind as keyof typeof UP), allow: true })),
  ];
}

function serviceAcls(role: ServiceRole): Acl[] {
  const everything = `${ROOT}/#`;
  const read: Acl[] = [
    { acltype: 'subscribePattern', topic: everything, allow: true },
    { acltype: 'publishClientReceive', topic: everything, allow: true },
  ];
  if (role === 'host') return [...read, { acltype: 'publishClientSend', topic: everything, allow: true }];
  // admin tools: read all, send commands and updates
  return [...read, ...ADMIN_DOWN_KINDS.map((kind): Acl => ({ acltype: 'publishClientSend', topic: downTopic('+', kind), allow: true }))];
}

/** `clientid`: the one client id the account may use (a station's is its id, as on the embedded broker). */
function account(username: string, password: string, acls: Acl[], clientid?: string): DynsecCommand[] {
  return [
    { command: 'createRole', rolename: roleOf(username), acls },
    { command: 'createClient', username, password, ...(clientid ? { clientid } : {}), roles: [{ rolename: roleOf(username) }] },
  ];
}

export const stationCommands = {
  add: (id: string, secret: string) => account(id, secret, stationAcls(id), id),
  secret: (id: string, secret: string): DynsecCommand[] => [{ command: 'setClientPassword', username: id, password: secret }],
  remove: (id: string): DynsecCommand[] => [
    { command: 'deleteClient', username: id },
    { command: 'deleteRole', rolename: roleOf(id) },
  ],
};

/** What a host service account may do: `host` everything under dp/v1, `admin` read it all and send commands and updates. */
export type ServiceRole = 'host' | 'admin';

/** A service account (its components connect as <name>-<component>), replacing one of the same name: its secret changed. */
export function serviceCommands(name: string, role: ServiceRole, secret: string): DynsecCommand[] {
  return [{ command: 'deleteClient', username: name }, { command: 'deleteRole', rolename: roleOf(name) }, ...account(name, secret, serviceAcls(role))];
}

/** Answers that only say the state is already what the command wanted. */
const HARMLESS = new Map([
  ['deleteClient', /not found/i],
  ['deleteRole', /not found/i],
]);

export class DynamicSecurity {
  private constructor(
    private readonly client: MqttClient,
    private readonly url: string,
  ) {}

  static async connect(url: string, admin: { username: string; password: string }): Promise<DynamicSecurity> {
    let client: MqttClient;
    try {
      client = await mqtt.connectAsync(url, { ...admin, clientId: `deskphone-dynsec-${process.pid}`, clean: true, reconnectPeriod: 0, connectTimeout: 10_000 });
    } catch (err) {
      throw new UserError(`cannot reach the broker's dynamic security at ${url} as ${admin.username}: ${(err as Error).message}`, 'check the broker address and the admin user and password given to `deskphone broker external`');
    }
    await client.subscribeAsync(`${CONTROL}/response`, { qos: 1 });
    return new DynamicSecurity(client, url);
  }

  /** Runs the commands in batches; throws a UserError naming the first one the broker refused. */
  async run(commands: DynsecCommand[]): Promise<void> {
    for (let i = 0; i < commands.length; i += BATCH) await this.batch(commands.slice(i, i + BATCH));
  }

  private async batch(commands: DynsecCommand[]): Promise<void> {
    const answer = new Promise<{ responses?: { command: string; error?: string }[] }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new UserError(`the broker at ${this.url} did not answer dynamic-security commands within ${ANSWER_TIMEOUT_MS / 1000} s`, 'check that mosquitto loads the dynamic-security plugin')), ANSWER_TIMEOUT_MS);
      this.client.once('message', (_topic, payload) => {
        clearTimeout(timer);
        resolve(JSON.parse(payload.toString('utf8')));
      });
    });
    await this.client.publishAsync(CONTROL, JSON.stringify({ commands }), { qos: 1 });
    const { responses = [] } = await answer;
    responses.forEach((r, n) => {
      if (!r.error || HARMLESS.get(r.command)?.test(r.error)) return;
      const subject = commands[n]?.username ?? commands[n]?.rolename ?? '';
      throw new UserError(`the broker refused ${r.command} ${subject}: ${r.error}`, 'check the broker\'s dynamic-security configuration (`mosquitto_ctrl dynsec listClients`)');
    });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
