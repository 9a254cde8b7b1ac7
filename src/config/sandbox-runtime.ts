import { z } from 'zod';

/** `sandbox.runtime` and a server's `runtime`: runc (the engine's native runtime), runsc (gVisor), or auto. */
export const RUNTIME_SETTINGS = ['runc', 'runsc', 'auto'] as const;

export type RuntimeSetting = (typeof RUNTIME_SETTINGS)[number];

export const runtimeSettingSchema = z.enum(RUNTIME_SETTINGS);

/** The engine runtime gVisor runs under: `runsc` has no network at all; `runsc-net` serves sandboxes with one. */
export const RUNSC_RUNTIMES = { offline: 'runsc', networked: 'runsc-net' } as const;

/** What the engine says it can run (engine info `Runtimes`, `DefaultRuntime`). */
export interface EngineRuntimes {
  runtimes: readonly string[];
  defaultRuntime: string;
}

/** The runtime a sandbox gets: `engineRuntime` goes into HostConfig.Runtime (undefined: the engine's default). */
export interface RuntimeChoice {
  kind: 'runc' | 'runsc';
  engineRuntime: string | undefined;
  /** The engine runtime's name as status displays show it (`runc`, `crun`, `runsc`, `runsc-net`). */
  name: string;
}

export type RuntimeDecision = { ok: true; choice: RuntimeChoice } | { ok: false; reason: string };

/** Whether an engine runtime is one of gVisor's (`runsc`, `runsc-net`, …). */
export const isGvisor = (name: string): boolean => name === 'runsc' || name.startsWith('runsc-');

/**
 * Picks the engine runtime for one sandbox. Pure. A runsc that the engine lacks is refused with the reason, never
 * replaced by runc; only `auto` may fall back, and status shows what it chose.
 */
export function chooseRuntime(setting: RuntimeSetting, networked: boolean, engine: EngineRuntimes): RuntimeDecision {
  const gvisor = networked ? RUNSC_RUNTIMES.networked : RUNSC_RUNTIMES.offline;
  const hasGvisor = engine.runtimes.includes(gvisor);
  if (setting === 'runsc' || (setting === 'auto' && hasGvisor)) {
    if (hasGvisor) return { ok: true, choice: { kind: 'runsc', engineRuntime: gvisor, name: gvisor } };
    const listed = engine.runtimes.length > 0 ? engine.runtimes.join(', ') : 'none';
    const what = networked ? `a server with a network runs under gVisor's "${gvisor}" runtime` : `gVisor's "${gvisor}" runtime`;
    return {
      ok: false,
      reason: `runtime "runsc" is configured but the engine has no ${what} (it lists: ${listed}); run scripts/gvisor.sh to register gVisor, or set "runtime": "runc"`,
    };
  }
  if (!isGvisor(engine.defaultRuntime)) {
    return { ok: true, choice: { kind: 'runc', engineRuntime: undefined, name: engine.defaultRuntime || 'runc' } };
  }
  // The engine's default is gVisor: runc must be asked for by name.
  if (engine.runtimes.includes('runc')) return { ok: true, choice: { kind: 'runc', engineRuntime: 'runc', name: 'runc' } };
  return { ok: false, reason: `runtime "runc" is configured but the engine has no runc runtime (it lists: ${engine.runtimes.join(', ')})` };
}
