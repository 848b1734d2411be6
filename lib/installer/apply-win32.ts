// Executes an installer plan, on Windows through koffi (win32.ts), or on any OS with backends
// passed in (tests). Two properties:
//  - idempotent: every step first reads what is there and changes only what differs, so an
//    install already in place changes nothing (and says so), and re-running after an
//    interrupted install completes it;
//  - transactional: each step that changed something leaves an undo (the previous value, key
//    tree, file, or our previous block); when a step fails, the done steps are undone in
//    reverse order and the error names the failed step and its Win32 error code.
// Uninstall removes only what install added: our key (marked InstalledBy), its tracing key, our
// copied DLL, and our block and priority metric in the IP global info.
import path from 'node:path';
import { Win32Error, win32ErrorName, type FileBackend, type RegistryBackend, type TransportStore } from './backends.js';
import {
  desiredState, describeState, hasPriorityBlock, readOurs, sameState, writeOurs, type OurState,
} from './globalInfo.js';
import { INSTALLED_BY, INSTALLED_BY_PREFIX, ROUTER_MANAGERS_IP, type Plan, type RegistryValue, type Step } from './plan.js';
import { hex32 } from './validate.js';

export interface ApplyOptions {
  /**
   * Retargets every HKLM\<path> of the plan to <registryRoot>\<path>, e.g.
   * HKCU\Software\rras-bridge-test\<pid> (tests: no administrator, no trace on the machine).
   * The library reads such a tree when RRAS_BRIDGE_REGISTRY_KEY names its ...\RouterManagers\Ip.
   */
  registryRoot?: string;
  /** Where --copy-dll copies to; default %SystemRoot%\System32. */
  systemDirectory?: string;
  registry?: RegistryBackend;
  /** The IP global info stores; default mprapi (MprConfig* and MprAdmin*). */
  transports?: { config?: TransportStore; live?: TransportStore };
  files?: FileBackend;
  /** Progress, one line per step. */
  log?: (line: string) => void;
}

export type Outcome = 'changed' | 'unchanged' | 'skipped';

export interface StepResult {
  /** 1-based, as printed. */
  step: number;
  title: string;
  outcome: Outcome;
  detail: string;
}

export interface ApplyResult {
  action: Plan['action'];
  name: string;
  protocolId: number | null;
  changed: boolean;
  results: StepResult[];
  summary: string;
}

export class ApplyError extends Error {
  constructor(
    message: string,
    /** 1-based number of the failed step, and its title. */
    readonly step: number,
    readonly stepTitle: string,
    /** The Win32 error code, when a Win32 call failed. */
    readonly code: number | undefined,
    /** The error the step threw. */
    readonly failure: unknown,
    /** The steps done before the failure, in the order they were undone. */
    readonly undone: StepResult[],
    /** Undo actions that failed themselves (the system may be half-installed: re-run). */
    readonly undoFailures: string[],
  ) {
    super(message);
    this.name = 'ApplyError';
  }
}

/** A refusal that is not a Win32 failure (someone else's key, an id already taken). */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

interface Done {
  result: StepResult;
  undo: () => void;
}

interface Run {
  outcome: Outcome;
  detail: string;
  undo?: () => void;
}

interface KeySnapshot {
  key: string;
  values: [string, RegistryValue][];
  children: KeySnapshot[];
}

const sameValue = (a: RegistryValue | undefined, b: RegistryValue) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

function show(v: RegistryValue): string {
  if (v.type === 'REG_DWORD') return `${v.type} ${hex32(v.data)} (${v.data})`;
  if (v.type === 'REG_MULTI_SZ') return `${v.type} ${JSON.stringify(v.data)}`;
  if (v.type === 'RAW') return `type ${v.regType} ${v.data}`;
  return `${v.type} ${JSON.stringify(v.data)}`;
}

/** One plan execution: the state shared by the steps (the protocol id an uninstall reads). */
class Execution {
  protocolId: number | null;
  /** Uninstall of a name that has no key: every later step has nothing to do. */
  notInstalled = false;
  private readonly registry: RegistryBackend;
  private readonly files: FileBackend;
  private readonly transports: { config: TransportStore; live: TransportStore };
  private readonly systemDirectory: string;

  constructor(private readonly plan: Plan, private readonly opts: ApplyOptions) {
    this.protocolId = plan.protocolId;
    const needsWin32 = !opts.registry || !opts.files || !opts.transports?.config || !opts.transports?.live;
    if (needsWin32 && process.platform !== 'win32') {
      throw new Error(`applying an installer plan needs Windows (this is ${process.platform}); use --dry-run to see the plan`);
    }
    // Loaded only when needed: koffi's Windows DLLs exist only on Windows.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const w = needsWin32 ? (require('./win32.js') as typeof import('./win32.js')) : undefined;
    this.registry = opts.registry ?? new w!.Win32Registry();
    this.files = opts.files ?? new w!.NodeFiles();
    this.transports = {
      config: opts.transports?.config ?? new w!.MprConfigStore(),
      live: opts.transports?.live ?? new w!.MprAdminStore(),
    };
    this.systemDirectory = opts.systemDirectory ?? (w ? w.systemDirectory() : 'C:\\Windows\\System32');
  }

  key(k: string): string {
    const root = this.opts.registryRoot;
    if (!root) return k;
    const m = /^(HKLM|HKEY_LOCAL_MACHINE)\\(.*)$/i.exec(k);
    return m ? `${root.replace(/\\+$/, '')}\\${m[2]}` : k;
  }

  private file(directory: 'System32', file: string): string {
    return path.win32.join(directory === 'System32' ? this.systemDirectory : directory, file);
  }

  private owner(key: string): { ours: boolean; mark?: string; empty: boolean } {
    const v = this.registry.getValue(key, INSTALLED_BY);
    const mark = v && (v.type === 'REG_SZ' || v.type === 'REG_EXPAND_SZ') ? v.data : undefined;
    const empty = this.registry.valueNames(key).length === 0 && this.registry.subkeys(key).length === 0;
    return { ours: mark !== undefined && mark.startsWith(INSTALLED_BY_PREFIX), ...(mark !== undefined ? { mark } : {}), empty };
  }

  run(step: Step): Run {
    if (this.notInstalled) return { outcome: 'unchanged', detail: `${this.plan.name} is not installed` };
    switch (step.kind) {
      case 'check':
        return step.mode === 'install' ? this.checkInstall(this.key(step.key)) : this.checkUninstall(this.key(step.key));
      case 'copy-file':
        return this.copyFile(step.from, this.file(step.directory, step.file));
      case 'create-key':
        return this.createKey(this.key(step.key));
      case 'set-value':
        return this.setValue(this.key(step.key), step.name, step.value, step.onlyIfAbsent);
      case 'ip-global-info':
        return this.globalInfo(step);
      case 'delete-key':
        return this.deleteKey(this.key(step.key));
      case 'delete-file':
        return this.deleteFile(this.file(step.directory, step.file));
    }
  }

  private checkInstall(key: string): Run {
    const id = this.protocolId!;
    let detail = 'the key is absent';
    if (this.registry.keyExists(key)) {
      const o = this.owner(key);
      if (!o.ours && !o.empty) {
        throw new ConflictError(`${key} exists and was not written by rras-bridge (no ${INSTALLED_BY} value): choose another --name, or remove that protocol first`);
      }
      detail = o.ours ? `the key is ours (${o.mark})` : 'the key exists, empty (an interrupted install)';
    }
    const parent = key.slice(0, key.lastIndexOf('\\'));
    const name = key.slice(key.lastIndexOf('\\') + 1);
    for (const other of this.registry.subkeys(parent)) {
      if (other.toLowerCase() === name.toLowerCase()) continue;
      const v = this.registry.getValue(`${parent}\\${other}`, 'ProtocolId');
      if (v?.type === 'REG_DWORD' && v.data === id) {
        throw new ConflictError(`protocol id ${hex32(id)} is already registered as ${parent}\\${other}: one id, one protocol (uninstall that one, or use another id)`);
      }
    }
    return { outcome: 'unchanged', detail: `${detail}; no other protocol has id ${hex32(id)}` };
  }

  private checkUninstall(key: string): Run {
    if (!this.registry.keyExists(key)) {
      this.notInstalled = true;
      return { outcome: 'unchanged', detail: `${key} is absent: ${this.plan.name} is not installed` };
    }
    const o = this.owner(key);
    if (!o.ours) {
      throw new ConflictError(`${key} was not written by rras-bridge (no ${INSTALLED_BY} value): not removing another product's protocol`);
    }
    const v = this.registry.getValue(key, 'ProtocolId');
    const id = v?.type === 'REG_DWORD' ? v.data : undefined;
    if (this.protocolId !== null && id !== undefined && id !== this.protocolId) {
      throw new ConflictError(`${key} has ProtocolId ${hex32(id)}, not the ${hex32(this.protocolId)} given`);
    }
    if (this.protocolId === null && id !== undefined) this.protocolId = id;
    return { outcome: 'unchanged', detail: `the key is ours (${o.mark}), protocol id ${this.protocolId === null ? 'unknown' : hex32(this.protocolId)}` };
  }

  private copyFile(from: string, to: string): Run {
    const data = this.files.read(from);
    if (!data) throw new Win32Error(2, 'read', from);
    const before = this.files.read(to);
    if (before?.equals(data)) return { outcome: 'unchanged', detail: `${to} is already this DLL` };
    this.files.write(to, data);
    return {
      outcome: 'changed',
      detail: before ? `replaced ${to}` : `created ${to}`,
      undo: () => (before ? this.files.write(to, before) : void this.files.remove(to)),
    };
  }

  private createKey(key: string): Run {
    const created = this.registry.createKey(key);
    if (!created) return { outcome: 'unchanged', detail: 'exists' };
    return { outcome: 'changed', detail: 'created', undo: () => void this.registry.deleteTree(key) };
  }

  private setValue(key: string, name: string, value: RegistryValue, onlyIfAbsent: boolean): Run {
    const before = this.registry.getValue(key, name);
    if (before !== undefined && onlyIfAbsent) return { outcome: 'unchanged', detail: `kept ${show(before)}` };
    if (sameValue(before, value)) return { outcome: 'unchanged', detail: show(value) };
    this.registry.setValue(key, name, value);
    return {
      outcome: 'changed',
      detail: before ? `${show(before)} -> ${show(value)}` : show(value),
      undo: () => (before ? this.registry.setValue(key, name, before) : void this.registry.deleteValue(key, name)),
    };
  }

  private globalInfo(step: Extract<Step, { kind: 'ip-global-info' }>): Run {
    const id = this.protocolId;
    if (id === null) return { outcome: 'skipped', detail: 'the protocol id is unknown (the key has no ProtocolId; pass --protocol-id)' };
    const store = this.transports[step.store];
    const why = store.unavailable();
    if (why) return { outcome: 'skipped', detail: why };
    const blob = store.get(step.transportId);
    const current = readOurs(blob, id);
    const prio = hasPriorityBlock(blob);
    const desired = desiredState(current, id, step.change, prio);
    const note = step.change.action === 'set' && step.change.priority !== undefined && !prio
      ? '; no IP_PROT_PRIORITY_INFO block, so no metric was set'
      : '';
    if (sameState(current, desired)) return { outcome: 'unchanged', detail: `${describeState(current)}${note}` };
    store.set(step.transportId, writeOurs(blob, id, desired));
    return {
      outcome: 'changed',
      detail: `${describeState(current)} -> ${describeState(desired)}${note}`,
      // Restore our entries only: anything others changed meanwhile stays.
      undo: () => this.restoreOurs(store, step.transportId, id, current),
    };
  }

  private restoreOurs(store: TransportStore, transportId: number, id: number, state: OurState): void {
    const blob = store.get(transportId);
    if (sameState(readOurs(blob, id), state)) return;
    store.set(transportId, writeOurs(blob, id, state));
  }

  private snapshot(key: string): KeySnapshot {
    return {
      key,
      values: this.registry.valueNames(key).map((n) => [n, this.registry.getValue(key, n)!] as [string, RegistryValue]),
      children: this.registry.subkeys(key).map((c) => this.snapshot(`${key}\\${c}`)),
    };
  }

  private restore(s: KeySnapshot): void {
    this.registry.createKey(s.key);
    for (const [n, v] of s.values) this.registry.setValue(s.key, n, v);
    for (const c of s.children) this.restore(c);
  }

  private deleteKey(key: string): Run {
    if (!this.registry.keyExists(key)) return { outcome: 'unchanged', detail: 'absent' };
    const before = this.snapshot(key);
    this.registry.deleteTree(key);
    return { outcome: 'changed', detail: `deleted (${before.values.length} values)`, undo: () => this.restore(before) };
  }

  private deleteFile(file: string): Run {
    const before = this.files.read(file);
    if (!before) return { outcome: 'unchanged', detail: `${file} is absent` };
    // Just after its block was removed, the router may still be unloading the DLL [U]: retry a
    // sharing violation for a few seconds before failing the step.
    for (let attempt = 0; ; attempt++) {
      try {
        this.files.remove(file);
        break;
      } catch (err) {
        if (!(err instanceof Win32Error) || err.code !== 32 || attempt >= 10) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      }
    }
    return { outcome: 'changed', detail: `deleted ${file}`, undo: () => this.files.write(file, before) };
  }
}

function hint(code: number | undefined): string {
  if (code === 5) return ' (run from an elevated prompt: Run as Administrator)';
  if (code === 32) return ' (the file is in use: stop RemoteAccess, e.g. Stop-Service RemoteAccess, and run again)';
  return '';
}

export function applyPlan(plan: Plan, opts: ApplyOptions = {}): ApplyResult {
  const exec = new Execution(plan, opts);
  const results: StepResult[] = [];
  const done: Done[] = [];
  const n = plan.steps.length;
  plan.steps.forEach((step, i) => {
    let r: Run;
    try {
      r = exec.run(step);
    } catch (err) {
      const undone: StepResult[] = [];
      const undoFailures: string[] = [];
      for (const d of [...done].reverse()) {
        try {
          d.undo();
          undone.push(d.result);
          opts.log?.(`  undid step ${d.result.step}: ${d.result.title}`);
        } catch (e) {
          undoFailures.push(`step ${d.result.step} (${d.result.title}): ${(e as Error).message}`);
        }
      }
      const code = err instanceof Win32Error ? err.code : undefined;
      const why = err instanceof Error ? err.message : String(err);
      const rolled = undone.length ? `; undid step${undone.length > 1 ? 's' : ''} ${undone.map((u) => u.step).join(', ')}` : '; nothing had been changed';
      const failed = undoFailures.length ? `; UNDO FAILED for ${undoFailures.join('; ')} (re-run to complete or uninstall)` : '';
      const codeText = code !== undefined ? ` [Win32 error ${code} ${win32ErrorName(code)}]` : '';
      throw new ApplyError(
        `${plan.action} ${plan.name}: step ${i + 1}/${n} (${step.title}) failed${codeText}: ${why}${hint(code)}${rolled}${failed}`,
        i + 1, step.title, code, err, undone, undoFailures,
      );
    }
    const result: StepResult = { step: i + 1, title: step.title, outcome: r.outcome, detail: r.detail };
    results.push(result);
    opts.log?.(`[${i + 1}/${n}] ${r.outcome.padEnd(9)} ${step.title}: ${r.detail}`);
    if (r.outcome === 'changed' && r.undo) done.push({ result, undo: r.undo });
  });
  const changed = results.some((r) => r.outcome === 'changed');
  const count = results.filter((r) => r.outcome === 'changed').length;
  const summary =
    plan.action === 'install'
      ? changed
        ? `installed ${plan.name} (protocol ${hex32(exec.protocolId!)}): ${count} change${count === 1 ? '' : 's'}`
        : `${plan.name} is already installed as planned; nothing changed`
      : changed
        ? `uninstalled ${plan.name}: ${count} change${count === 1 ? '' : 's'}`
        : exec.notInstalled
          ? `${plan.name} is not installed; nothing changed`
          : `${plan.name}: nothing left to remove; nothing changed`;
  return { action: plan.action, name: plan.name, protocolId: exec.protocolId, changed, results, summary };
}

/** ROUTER_MANAGERS_IP after retargeting: what RRAS_BRIDGE_REGISTRY_KEY must name for the library. */
export function routerManagersIpKey(opts: Pick<ApplyOptions, 'registryRoot'>): string {
  return opts.registryRoot ? `${opts.registryRoot.replace(/\\+$/, '')}\\${ROUTER_MANAGERS_IP.replace(/^HKLM\\/, '')}` : ROUTER_MANAGERS_IP;
}
