// A small stand-in for a board, run on the real Espruino Linux interpreter
// before the firmware (flash-runner's `prelude`, stored as .boot0), so each
// board's own bundle boots there as on its hardware: the board's named pins
// are the interpreter's own Pin objects (LED1, BTN1-4, and ESP32 pins past the
// Linux build's D32), and what the Linux build lacks is stood in for, no more:
// the Pixl.js LCD (`g`), NRF and the WIZnet driver, the ESP32 Wifi module
// (calling back only with an address, as the 2v29 ESP32 build does), and the
// display buses, which record every transfer. The interpreter still checks
// everything the firmware hands it: pin arguments, SPI.write's select pin
// (`instanceof Pin`, as jswrap_spi_write's jsvIsPin), Storage, Graphics, the
// language itself.
//
// The recorded display bus goes to a file when `busLog` is given, one line per
// transfer: "I<addr> <bytes>" for I2C, "C <bytes>" for an SPI write with the
// data/command pin low (a command), "D <bytes>" for data; <bytes> is base64,
// or "<length>:<E.CRC32>" for a transfer over 64 bytes. readBusLog parses it.
import { readFileSync } from 'node:fs';
import { pinFields, type BoardProfile } from '../../hardware/board.ts';
import { BOARD_PINS, pinFromString } from '../../hardware/espruino-pins.ts';

export interface StandInOptions {
  /** Absolute path the display bus is appended to (no recording without it). */
  busLog?: string;
}

/** Board pin names the Linux build lacks, each given a Linux pin the profile does not use. */
export function linuxPinsFor(board: BoardProfile): Record<string, string> {
  const names = [...new Set(pinFields(board).map(([, name]) => name))];
  const used = new Set(names.map((n) => pinFromString(n, 'LINUX')).filter((p): p is string => p !== null));
  const free = Object.keys(Array(BOARD_PINS.LINUX.ports.D).fill(0))
    .map((i) => 'D' + i)
    .filter((p) => !used.has(p))
    .reverse();
  const out: Record<string, string> = {};
  for (const name of names) if (!pinFromString(name, 'LINUX')) out[name] = free.shift()!;
  return out;
}

/** The stand-in's JavaScript for one board (empty where the board is the Linux build itself). */
export function boardStandIn(board: BoardProfile, options: StandInOptions = {}): string {
  if (board.espruinoBoard === 'LINUX') return '';
  const lines: string[] = [
    `var SI={n:0,f:0,log:${JSON.stringify(options.busLog ?? '')}};`,
    // A long transfer is logged as its length and E.CRC32 (copying it would not fit in 2950 variables beside a T-Display frame).
    'function SIrec(t,d){SI.n++;if(SI.log)require("fs").appendFileSync(SI.log,t+" "+(d.length>64?d.length+":"+(E.CRC32(d)>>>0):btoa(E.toString(d)))+"\\n");}',
  ];
  for (const [name, pin] of Object.entries(linuxPinsFor(board))) lines.push(`global.${name}=${pin};`);
  // The display's Graphics, so a test can read its pixels (E.CRC32 of the buffer).
  lines.push('var SIcab=Graphics.createArrayBuffer;Graphics.createArrayBuffer=function(w,h,b,o){return SI.g=SIcab(w,h,b,o);};');
  if (board.display.bus.kind === 'builtin') lines.push(`global.g=Graphics.createArrayBuffer(${board.display.width},${board.display.height},1);g.flip=function(){SI.f++;};`);
  if (board.display.bus.kind === 'i2c') {
    // A bare assignment: `global.I2C1 = …` does not replace the built-in device object (measured on 2v29).
    lines.push('I2C1={setup:function(o){SI.bus=o;},writeTo:function(a){var d=E.toUint8Array([].slice.call(arguments,1));SI.f+=d.length===129&&d[0]===64?1/8:0;SIrec("I"+a,d);}};');
  }
  // The W5100 shield's SPI bus: the Linux build has no SPI device to set up.
  if (board.network.kind !== 'wifi' && board.network.kind !== 'native') lines.push('SPI1={setup:function(o){SI.net=o;},send:function(d){return d;},write:function(){}};');
  if (board.display.bus.kind === 'spi') {
    // One buffer over 4,092 bytes is one ESP32 transaction too long (ESP-IDF's limit in the 2v29 build).
    lines.push(
      'SPI1={setup:function(o){SI.bus=o;},write:function(){var a=[].slice.call(arguments),c=a.length>1&&a[a.length-1] instanceof Pin;if(c)a.pop();' +
        'a.forEach(function(x){if(x.length>4092)throw new Error("SPI Send Error 258");});if(c&&a[0]===44)SI.f++;SIrec(c?"C":"D",a.length===1&&a[0].buffer?a[0]:E.toUint8Array(a));}};',
    );
  }
  if (board.espruinoBoard === 'PIXLJS') {
    lines.push('global.NRF={setServices:function(d,o){SI.uart=!(o&&o.uart===false);},getAddress:function(){return "c4:11:22:33:44:55";}};');
    lines.push(
      'Modules.addCached("WIZnet",function(){exports.connect=function(spi,cs){if(!(cs instanceof Pin))throw new Error("WIZnet.connect: CS is not a Pin");' +
        'var ip={ip:"127.0.0.1",subnet:"255.0.0.0",gateway:"127.0.0.1",dns:"127.0.0.1",mac:"00:08:dc:00:00:01"};' +
        'return{setIP:function(o,cb){if(cb)setTimeout(cb,1,null);return true;},getIP:function(cb){if(cb)cb(null,ip);return ip;},setHostname:function(){return true;}};};});',
    );
  }
  if (board.espruinoBoard === 'ESP32') {
    lines.push(
      'Modules.addCached("Wifi",function(){var up=0;exports.connect=function(s,o,cb){setTimeout(function(){up=1;if(cb)cb(null);exports.emit("connected",{ip:"127.0.0.1"});},50);};' +
        'exports.getStatus=function(){return up?{station:"connected",rssi:-58}:{station:"NO_AP_FOUND"};};exports.getIP=function(){return{ip:up?"127.0.0.1":"0.0.0.0"};};' +
        'exports.getDetails=function(){return{status:up?"connected":"NO_AP_FOUND"};};exports.disconnect=function(){up=0;};});',
    );
    // The console stays on stdout: on the Linux build Serial1 is another device.
    lines.push('E.setConsole=function(d,o){SI.console=(d===Serial1?"Serial1":String(d))+(o&&o.force?" forced":"");};');
  }
  return lines.join('\n') + '\n';
}

export interface BusTransfer {
  /** 'C' command and 'D' data on SPI (the data/command pin low or high), 'I60' an I2C write to address 60. */
  kind: string;
  /** The bytes of a short transfer; a long one has only its length and CRC-32. */
  data?: Buffer;
  length: number;
  crc?: number;
}

export function readBusLog(path: string): BusTransfer[] {
  return readFileSync(path, 'latin1')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, bytes] = line.split(' ');
      const long = /^(\d+):(\d+)$/.exec(bytes);
      if (long) return { kind, length: Number(long[1]), crc: Number(long[2]) };
      const data = Buffer.from(bytes, 'base64');
      return { kind, data, length: data.length };
    });
}
