// Watches when a simulated desk evaluates its update side (firmware/src/update/agent.ts,
// which sets global DPU; main.ts clears it again): the phase of each evaluation.
// In a call it must stay in its slot: evaluated it takes ~135 variables on the
// 2950-variable build (esp32-st7789 bundle, measured), more than the ~122 a
// call leaves there (bench/firmware-size.ts "room in a call").
import type { Simulator } from '../../hardware/sim/simulator.ts';

/** Installs the watch (again after every boot: a reboot is a new interpreter); returns a reader of the phases seen so far. */
export function watchUpdateSide(sim: Simulator): () => number[] {
  sim.eval(
    '(function(){var v;global.DPX=[];Object.defineProperty(global,"DPU",{configurable:true,get:function(){return v},' +
      'set:function(x){if(x)DPX.push(DP.state().sn?DP.state().sn.phase:0);v=x}})})()',
  );
  return () => JSON.parse(sim.eval('JSON.stringify(DPX)') as string) as number[];
}
