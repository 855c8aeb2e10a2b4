// The station's config file on the device: Storage file "deskphone.json",
// written at flashing time by `deskphone flash`, read by the firmware at boot.
// Short keys because the device parses it into interpreter variables.
// It holds the station's broker secret, so it is written with mode 0600 on
// the host and never printed.

export const CONFIG_FILE = 'deskphone.json';
/**
 * CONFIG patches the desk took over the network since it was flashed
 * ({v, lang, digits}, read over the config): a Pixl.js's config lies in its
 * first page, which only the flash lays out again (docs/updates.md). The
 * flash erases it with every config it writes.
 */
export const CONFIG_PATCH_FILE = 'deskphone.pat';

export interface DeviceConfig {
  /** Config version; reported in the birth so the host sees stale configs. */
  v: number;
  /** Station id (also the MQTT client id and username). */
  id: string;
  /** Board profile name the config was made for. */
  board: string;
  /** Broker host name or address and port. */
  host: string;
  port: number;
  /** Station secret (MQTT password). */
  pass: string;
  /** UI language. */
  lang: 'de' | 'en';
  /** Digits in a contract account number. */
  digits: number;
  /** WiFi (ESP32), or Ethernet (W5100): a static address (no DHCP), a MAC, the DHCP lease; absent where not used. */
  net?: {
    ssid?: string;
    psk?: string;
    ip?: string;
    gw?: string;
    mask?: string;
    dns?: string;
    /** Ethernet MAC, e.g. from the shield's sticker (default: derived from the Pixl.js's Bluetooth address). */
    mac?: string;
    /** The DHCP server's lease time in seconds: the desk renews at half of it (default 3600). */
    lease?: number;
  };
}

export const DEFAULT_ACCOUNT_DIGITS = 12;
/** The config version this host writes. */
export const DEVICE_CONFIG_VERSION = 1;

/**
 * The one way a config is made (flashing, `station add --config-out`, the
 * demo, dashboard mirrors, `sim`): the version and the defaults come from
 * here, and the keys keep the order the firmware's files have always had.
 */
export function deviceConfig(c: Omit<DeviceConfig, 'v' | 'lang' | 'digits'> & Partial<Pick<DeviceConfig, 'v' | 'lang' | 'digits'>>): DeviceConfig {
  const config: DeviceConfig = {
    v: c.v ?? DEVICE_CONFIG_VERSION,
    id: c.id,
    board: c.board,
    host: c.host,
    port: c.port,
    pass: c.pass,
    lang: c.lang ?? 'de',
    digits: c.digits ?? DEFAULT_ACCOUNT_DIGITS,
  };
  if (c.net) config.net = c.net;
  return config;
}

/** Problems with a config, as readable sentences; empty when it is usable. */
export function deviceConfigProblems(c: Partial<DeviceConfig>): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(c.v) || (c.v as number) < 1) problems.push('"v" (config version) must be a positive integer');
  if (typeof c.id !== 'string' || !c.id) problems.push('"id" (station id) is missing');
  if (typeof c.board !== 'string' || !c.board) problems.push('"board" is missing');
  if (typeof c.host !== 'string' || !c.host) problems.push('"host" (broker address) is missing');
  if (!Number.isInteger(c.port) || (c.port as number) < 1 || (c.port as number) > 65535) problems.push('"port" must be 1-65535');
  if (typeof c.pass !== 'string' || !c.pass) problems.push('"pass" (station secret) is missing');
  if (c.lang !== 'de' && c.lang !== 'en') problems.push('"lang" must be "de" or "en"');
  if (!Number.isInteger(c.digits) || (c.digits as number) < 4 || (c.digits as number) > 16) problems.push('"digits" must be 4-16');
  return problems;
}
