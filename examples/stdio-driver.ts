// What the examples' drivers share (examples/rip/driver.ts, examples/ospf/driver.ts): the
// command loop (one JSON command per stdin line, run in order, each answered on stdout with its
// id; when stdin closes, the parent went away, `stop` runs and the process exits) and the
// commands of a MockRouter hosting one protocol. Written on the public API.
//
//   in:  {"id":1,"cmd":"start",...}
//   out: {"id":1,"ok":true,"result":...} | {"id":1,"ok":false,"error":"..."}
import readline from 'node:readline';
import { DEMAND_DIAL, MockRouter, NO_ERROR, PERMANENT, errorName, type RoutingProtocol, type TraceEntry } from '../lib/index.js';

export type Commands = Record<string, (args: any) => Promise<unknown>>;

/** A JSON line on stdout (Buffers as hex). */
export function emit(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj, (_k, v) => (v && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('hex') : v)) + '\n');
}

export function serveCommands(commands: Commands): void {
  const rl = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let msg: { id?: number; cmd?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      return emit({ ok: false, error: `not JSON: ${line}` });
    }
    queue = queue.then(async () => {
      const fn = commands[msg.cmd ?? ''];
      try {
        if (!fn) throw new Error(`unknown command ${msg.cmd}`);
        emit({ id: msg.id, ok: true, result: (await fn(msg)) ?? null });
      } catch (err) {
        emit({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
      if (msg.cmd === 'stop') setImmediate(() => process.exit(0));
    });
  });
  // The parent went away: stop cleanly so the host process and sockets go too.
  rl.on('close', () => {
    void queue.then(() => commands.stop?.({})).finally(() => process.exit(0));
  });
}

/** What a driver hosts: the module, its id, and how its JSON configuration becomes blocks. */
export interface HostedProtocol {
  module: string;
  name: string;
  protocolId: number;
  global(json: unknown): Buffer;
  iface(json: unknown): Buffer;
}

/**
 * One MockRouter hosting one protocol, and the driver commands every example shares: interfaces
 * in RRAS's order, their status, configuration, the mock RTM, the log, stop.
 */
export class HostedRouter {
  router: MockRouter | undefined;
  proto: RoutingProtocol | undefined;
  protocolId = 0;

  /** `traceText`: a line for each trace entry (routprot.h calls, events), if the driver has one. */
  constructor(private readonly traceText?: (e: TraceEntry) => string) {}

  need(): RoutingProtocol {
    if (!this.proto) throw new Error('not started');
    return this.proto;
  }

  /** Throws with the code's name and the library's last log lines unless it is NO_ERROR. */
  async check(what: string, code: Promise<number> | number): Promise<number> {
    const c = await code;
    if (c !== NO_ERROR) throw new Error(`${what} returned ${c} (${errorName(c)})\n${this.router?.log().split('\n').slice(-15).join('\n') ?? ''}`);
    return c;
  }

  async start(p: HostedProtocol, a: { routerId?: string; workDir?: string; settings?: object; global?: unknown }): Promise<{ protocolId: number; workDir: string }> {
    this.protocolId = p.protocolId;
    // GetRouterId answers a DWORD holding the address in network byte order.
    const routerId = a.routerId ? Buffer.from(a.routerId.split('.').map(Number)).readUInt32LE(0) : undefined;
    const router = (this.router = new MockRouter({ routerId, workDir: a.workDir }));
    router.on('trace', (e) => emit({
      event: 'trace', entry: e.kind, text: this.traceText?.(e), name: e.kind === 'event' ? e.event.name : e.name, code: e.kind === 'call' ? e.code : undefined,
    }));
    const proto = (this.proto = router.register({ protocolId: p.protocolId, name: p.name, module: p.module, heartbeatMs: 0, ...(a.settings ?? {}) }));
    await this.check('RegisterProtocol', proto.registerCode);
    await this.check('StartProtocol', proto.start({ globalInfo: p.global(a.global) }));
    return { protocolId: p.protocolId, workDir: router.workDir };
  }

  commands(hosted: () => HostedProtocol): Commands {
    const rtm = () => {
      if (!this.router) throw new Error('not started');
      return this.router.rtm;
    };
    const addRoute = (a: any, prefix: string) => this.check(`MockRtmAddRoute ${prefix}`, rtm().addRoute(a.owner, prefix, a.nextHop ?? '0.0.0.0', a.interfaceIndex ?? 0, a.metric ?? 1, a.preference ?? 1));
    return {
      addInterface: async (a) => {
        const type = a.type === 'demandDial' ? DEMAND_DIAL : PERMANENT;
        await this.need().addEnabledInterface({ index: a.index, name: a.name, type, info: hosted().iface(a.config) }, a.binding);
        return null;
      },
      startComplete: async () => this.check('StartComplete', this.need().startComplete()),
      setGlobalConfig: async (a) => this.check('SetGlobalInfo', this.need().setGlobalInfo(hosted().global(a.global))),
      setInterfaceConfig: async (a) => this.check('SetInterfaceInfo', this.need().setInterfaceInfo(a.index, hosted().iface(a.config))),
      interfaceStatus: async (a) => {
        const p = this.need();
        switch (a.what) {
          case 'enable': return this.check('enable', p.enableInterface(a.index));
          case 'disable': return this.check('disable', p.disableInterface(a.index));
          case 'mediaPresent': return this.check('media', p.setMedia(a.index, true));
          case 'mediaAbsent': return this.check('media', p.setMedia(a.index, false));
          case 'bind': return this.check('bind', p.bindInterface(a.index, a.binding));
          default: throw new Error(`unknown status ${a.what}`);
        }
      },
      /** This protocol's routes in the mock RTM (every protocol's with `all`), and which are best. */
      rtm: async (a) => rtm().routes(a?.all ? undefined : this.protocolId).map((r) => ({
        dest: r.dest, owner: r.owner, metric: r.metric, preference: r.preference, best: r.best, nextHops: r.nextHops,
      })),
      rtmAdd: async (a) => addRoute(a, a.prefix),
      rtmAddMany: async (a) => {
        for (const prefix of a.prefixes as string[]) await addRoute(a, prefix);
        return (a.prefixes as string[]).length;
      },
      rtmDelete: async (a) => this.check('MockRtmDeleteRoute', rtm().deleteRoute(a.owner, a.prefix)),
      log: async () => this.router?.log() ?? '',
      stop: async () => {
        if (this.proto?.isRunning) await this.proto.stop();
        await this.router?.close();
        return null;
      },
    };
  }
}
