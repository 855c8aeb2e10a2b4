// What makes a Node vm context behave like the interpreter's global scope:
// every object an event emitter, Date on the simulated clock and time zone,
// and nothing the interpreter lacks (../espruino-lacks.ts, ../espruino-gate.ts).
import vm from 'node:vm';
import { regexProblems } from '../espruino-gate.ts';
import { MISSING_GLOBALS, MISSING_METHODS, MISSING_STATICS } from '../espruino-lacks.ts';
import type { SimClock } from './clock.ts';
import { SimPin, type SimPins } from './pins.ts';

/** print, console and base64 (src/jswrap_interactive.c, jswrap_string.c): printed lines go to `print`. */
export function textGlobals(print: (line: string) => void): object {
  const format = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? 'undefined' : typeof v === 'function' ? 'function' : JSON.stringify(v));
  const printArgs = (...args: unknown[]) => print(args.map(format).join(' '));
  return {
    print: printArgs,
    console: { log: printArgs, warn: printArgs, error: printArgs, info: printArgs, debug: printArgs },
    btoa: (s: string) => Buffer.from(String(s), 'latin1').toString('base64'),
    atob: (s: string) => Buffer.from(String(s), 'base64').toString('latin1'),
  };
}

/** The timer functions (src/jswrap_interactive.c) on the simulated clock; `G` is the context's global object. */
export function timerGlobals(clock: SimClock, G: Record<string, any>): object {
  const clear = function (this: unknown, ...args: unknown[]) {
    if (args.length && args[0] === undefined) throw new G.Error('clearTimeout(undefined) not allowed. Use clearTimeout() instead');
    if (args.length && args[0] !== null && clock.list().some((t) => t.id === args[0])) clock.clear(args[0] as number);
    else if (!args.length) clock.clear();
  };
  return {
    setTimeout: (fn: () => void, ms?: number, ...args: unknown[]) => clock.add(fn, ms ?? 0, false, args),
    setInterval: (fn: () => void, ms?: number, ...args: unknown[]) => clock.add(fn, ms ?? 0, true, args),
    clearTimeout: clear,
    clearInterval: clear,
    changeInterval: (id: number, ms: number) => clock.change(id, ms),
    getTime: () => clock.now() / 1000,
    setTime: (s: number) => clock.setTime(s),
  };
}

/** Only the board's own pins exist, as Pin objects (its board file's ports and named devices), and the functions that take them. */
export function pinGlobals(pins: SimPins): object {
  return {
    ...pins.globals(),
    Pin: SimPin,
    digitalRead: (p: unknown) => pins.digitalRead(p),
    digitalWrite: (p: unknown, v: unknown) => pins.digitalWrite(p, v),
    pinMode: (p: unknown, m?: unknown) => pins.pinMode(p, m),
    getPinMode: (p: unknown) => pins.getPinMode(p),
    analogWrite: (p: unknown, v: number, o?: { freq?: number }) => pins.analogWrite(p, v, o),
    digitalPulse: (p: unknown, v: unknown, ms: unknown) => pins.digitalPulse(p, v, ms),
    setWatch: (fn: (e: object) => void, p: unknown, o?: object) => pins.setWatch(fn, p, o),
    clearWatch: (id?: number) => pins.clearWatch(id),
  };
}

/** Espruino puts on/emit/removeListener on every object. */
export function installObjectEvents(context: vm.Context): void {
  vm.runInContext(
    `(function(){
      var P = Object.prototype;
      function list(o, e) { var k = '#on' + e; if (!Object.prototype.hasOwnProperty.call(o, k)) Object.defineProperty(o, k, { value: [], writable: true }); return o[k]; }
      function def(name, fn) { Object.defineProperty(P, name, { value: fn, writable: true, configurable: true }); }
      def('on', function (e, fn) { list(this, e).push(fn); });
      def('prependListener', function (e, fn) { list(this, e).unshift(fn); });
      def('removeListener', function (e, fn) { var l = list(this, e), i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); });
      def('removeAllListeners', function (e) {
        if (e !== undefined) { list(this, e).length = 0; return; }
        Object.getOwnPropertyNames(this).forEach(function (k) { if (k.indexOf('#on') === 0) this[k] = []; }, this);
      });
      def('emit', function (e) { var a = [].slice.call(arguments, 1), l = list(this, e).slice(); for (var i = 0; i < l.length; i++) l[i].apply(this, a); });
    })()`,
    context,
  );
}

/** Date and getTime follow the simulator clock; local time is UTC plus E.setTimeZone, as on the device. */
export function installSimDate(context: vm.Context, now: () => number, tzHours: () => number): void {
  vm.runInContext(
    `(function (now, tz) {
      var Real = Date;
      class SimDate extends Real {
        constructor() { if (arguments.length) super(...arguments); else super(now()); }
        static now() { return now(); }
      }
      ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds'].forEach(function (f) {
        SimDate.prototype['get' + f] = function () { return new Real(this.getTime() + tz() * 3600000)['getUTC' + f](); };
      });
      SimDate.prototype.getTimezoneOffset = function () { return -tz() * 60; };
      globalThis.Date = SimDate;
    })`,
    context,
  )(now, tzHours);
}

export function removeWhatTheInterpreterLacks(context: vm.Context): void {
  const removal = {
    globals: [...MISSING_GLOBALS, 'WebAssembly'],
    statics: MISSING_STATICS,
    methods: MISSING_METHODS,
  };
  vm.runInContext(
    `(function (r) {
      function drop(obj, name) {
        // Typed arrays keep their shared methods on a common prototype: remove it where it lives.
        for (var o = obj; o; o = Object.getPrototypeOf(o)) {
          if (Object.prototype.hasOwnProperty.call(o, name)) { delete o[name]; return; }
          if (o === Object.prototype || o === Function.prototype) return;
        }
      }
      Object.keys(r.statics).forEach(function (owner) { r.statics[owner].forEach(function (n) { drop(globalThis[owner], n); }); });
      Object.keys(r.methods).forEach(function (owner) { r.methods[owner].forEach(function (n) { drop(globalThis[owner].prototype, n); }); });
      r.globals.forEach(function (n) { delete globalThis[n]; });
      // Number's constants cannot be deleted (non-configurable): put a Number without them in its place.
      var RealNumber = Number, fixed = r.statics.Number;
      var SimNumber = function Number(v) { return arguments.length ? RealNumber(v) : 0; };
      SimNumber.prototype = RealNumber.prototype;
      Object.getOwnPropertyNames(RealNumber).forEach(function (n) {
        if (fixed.indexOf(n) < 0 && ['length', 'name', 'prototype'].indexOf(n) < 0) SimNumber[n] = RealNumber[n];
      });
      globalThis.Number = SimNumber;
    })`,
    context,
  )(JSON.parse(JSON.stringify(removal)));
  // Regex literals are checked by the gate; patterns built at run time are
  // checked here, loudly, where the device would silently never match.
  vm.runInContext(
    `(function (problems) {
      var Real = RegExp;
      function SimRegExp(pattern, flags) {
        var source = pattern instanceof Real ? pattern.source : String(pattern);
        var f = flags === undefined ? (pattern instanceof Real ? pattern.flags : '') : String(flags);
        var found = problems(source, f);
        if (found.length) throw new SyntaxError('Espruino cannot run this: ' + found[0]);
        return new Real(source, f);
      }
      SimRegExp.prototype = Real.prototype;
      globalThis.RegExp = SimRegExp;
    })`,
    context,
  )((pattern: string, flags: string) => regexProblems(pattern, flags));
}
