// The firmware's update side as its own piece of code: the build puts it at
// the end of a two-slot board's image inside a comment, and the firmware
// evaluates it from its slot only when an offer or the report of a rollback
// needs it (main.ts agent()), so it costs no variables otherwise.
// Written in the interpreter's subset.
import { healthy, onUpdate } from '../net/update.ts';

declare const global: any;

global.DPU = { u: onUpdate, h: healthy };
