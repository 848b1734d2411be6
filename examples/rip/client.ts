// Drives a driver.ts process (one mock router hosting RIP, or another example's driver): the
// demo and the interop tests use it. `prefix` runs the driver through another command, e.g.
// ['ip', 'netns', 'exec', 'ns1'].
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { GlobalJson, InterfaceJson } from './jsonConfig.js';
import type { BindingInput, Ipv6BindingInput } from '../../lib/config/binding.js';

export interface TraceLine {
  event: 'trace';
  entry: 'call' | 'event' | 'support';
  name: string;
  code?: number;
  text: string;
}

export interface RtmRouteView {
  dest: string;
  owner: number;
  metric: number;
  preference: number;
  best: boolean;
  nextHops: { address: string; interfaceIndex: number }[];
}

export interface MibRouteRow {
  table: 'route';
  interfaceIndex: number;
  destination: string;
  prefixLength: number;
  nextHop: string;
  metric: number;
  tag: number;
  source: 'connected' | 'redistributed' | 'learned';
  flags: number;
  neighbor: string;
  timerMs: number;
}

export class RouterProcess {
  readonly child: ChildProcess;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; cmd: string }>();
  readonly traces: TraceLine[] = [];
  readonly stderr: string[] = [];
  private exited: Error | undefined;
  onTrace: ((t: TraceLine) => void) | undefined;

  /** `script`: another example's driver with the same stdio protocol (default: RIP's). */
  constructor(readonly name: string, opts: { prefix?: string[]; env?: NodeJS.ProcessEnv; script?: string } = {}) {
    const script = opts.script ?? path.join(__dirname, 'driver.js');
    const argv = [...(opts.prefix ?? []), process.execPath, script];
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => this.line(line));
    readline.createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.stderr.push(line);
      if (this.stderr.length > 200) this.stderr.shift();
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`router ${name} exited (${signal ?? code}); stderr:\n${this.stderr.slice(-20).join('\n')}`);
      for (const w of this.waiting.values()) w.reject(this.exited);
      this.waiting.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private line(line: string): void {
    let msg: any;
    try {
      msg = JSON.parse(line);
    } catch {
      this.stderr.push(`stdout: ${line}`);
      return;
    }
    if (msg.event === 'trace') {
      this.traces.push(msg);
      this.onTrace?.(msg);
      return;
    }
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    if (msg.ok) w.resolve(msg.result);
    else w.reject(new Error(`${this.name}: ${w.cmd}: ${msg.error}`));
  }

  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, cmd });
      this.child.stdin!.write(JSON.stringify({ id, cmd, ...args }) + '\n');
    });
  }

  /** extra.protocol 'ripng': host the RIPng example (global/interface config as its schema's JSON). */
  start(global: GlobalJson | object, extra: { routerId?: string; workDir?: string; protocolId?: number; settings?: object; protocol?: 'rip' | 'ripng' } = {}): Promise<{ protocolId: number; workDir: string }> {
    return this.call('start', { global, ...extra });
  }

  addInterface(index: number, name: string, config: InterfaceJson | object, binding: BindingInput | Ipv6BindingInput, type: 'permanent' | 'demandDial' = 'permanent'): Promise<null> {
    return this.call('addInterface', { index, name, config, binding, type });
  }

  updateRoutes(index: number, timeoutMs?: number): Promise<{ code: number; status?: number }> {
    return this.call('updateRoutes', { index, timeoutMs });
  }

  rtm(all = false): Promise<RtmRouteView[]> {
    return this.call('rtm', { all });
  }

  mib<T = any>(table: number): Promise<T[]> {
    return this.call('mib', { table });
  }

  routes(): Promise<MibRouteRow[]> {
    return this.mib<MibRouteRow>(4);
  }

  /** Stops the protocol and the process; kills it if it does not exit in time. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.call('stop').catch(() => undefined);
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await done;
    clearTimeout(t);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Polls `probe` until it returns a truthy value or the time is up (then throws with `what`). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
