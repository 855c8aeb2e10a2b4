// Serial consoles run at the rate their Espruino build sets ('default_console_baudrate'
// in boards/*.py at RELEASE_2V29): the flasher uses it unless --baud says otherwise,
// and its help says so (it used to claim 9600 for every board).
import { expect, test } from 'vitest';
import { loadBoard } from '../hardware/board.ts';
import { serialBaud } from '../provisioner/flash/link.ts';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('the ESP32 console at 115200, the Pixl.js at 9600, --baud wins', () => {
  expect(serialBaud(loadBoard('esp32-st7789'))).toBe(115200);
  expect(serialBaud(loadBoard('esp32-ssd1306'))).toBe(115200);
  expect(serialBaud(loadBoard('pixljs-w5100'))).toBe(9600);
  expect(serialBaud(loadBoard('esp32-st7789'), 9600)).toBe(9600);
});

test('flash --help gives both rates', () => {
  const help = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'deskphone.js'), 'flash', '--help'], { encoding: 'utf8' });
  expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/9600 on the Pixl\.js, 115200 on the ESP32/);
});
