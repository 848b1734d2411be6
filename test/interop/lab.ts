// Network-namespace labs for the RIP interop suites: namespaces joined by veth pairs or a
// bridge, BIRD 2 and FRR ripd run inside them, and the RIP protocol under the mock router
// (examples/rip/driver.ts) in its own namespace. Everything is named with a per-run prefix
// and torn down by pid and by name, also when a test fails. Only 10.255.x.y addresses, only
// inside the namespaces this lab creates.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { RouterProcess, waitFor } from '../../examples/rip/client.js';

const exec = promisify(execFile);
let labCounter = 0;

export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('the RIP interop suites need root (network namespaces, port 520, starting BIRD and FRR)');
  for (const bin of ['/usr/sbin/bird', '/usr/sbin/birdc', '/usr/lib/frr/zebra', '/usr/lib/frr/ripd', '/usr/bin/vtysh']) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run scripts/interop.sh (it installs bird2 and frr with apt-get)`);
  }
}

export async function sh(cmd: string, args: string[], timeoutMs = 10_000): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { timeout: timeoutMs, maxBuffer: 4 << 20 });
    return stdout;
  } catch (err: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export class Lab {
  readonly prefix: string;
  readonly dir: string;
  private readonly namespaces: string[] = [];
  private readonly pids = new Set<number>();
  private readonly routers: RouterProcess[] = [];

  constructor(tag: string) {
    // Namespace names are global: pid + counter + tag keeps parallel runs apart.
    this.prefix = `rip${process.pid}-${++labCounter}${tag}`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${this.prefix}-`));
    fs.chmodSync(this.dir, 0o755);
  }

  ns(name: string): string {
    return `${this.prefix}-${name}`;
  }

  async addNs(name: string): Promise<string> {
    const ns = this.ns(name);
    await sh('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair between two namespaces, with an address (a.b.c.d/len) on each end. */
  async link(nsA: string, ifA: string, addrA: string, nsB: string, ifB: string, addrB: string): Promise<void> {
    await sh('ip', ['-n', nsA, 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
    await sh('ip', ['-n', nsA, 'addr', 'add', addrA, 'dev', ifA]);
    await sh('ip', ['-n', nsB, 'addr', 'add', addrB, 'dev', ifB]);
    await sh('ip', ['-n', nsA, 'link', 'set', ifA, 'up']);
    await sh('ip', ['-n', nsB, 'link', 'set', ifB, 'up']);
  }

  /** A bridge in its own namespace, and one veth per member namespace plugged into it. */
  async bridge(members: { ns: string; ifName: string; address: string }[]): Promise<void> {
    const sw = await this.addNs('sw');
    await sh('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    await sh('ip', ['-n', sw, 'link', 'set', 'br0', 'up']);
    let k = 0;
    for (const m of members) {
      const port = `p${k++}`;
      await sh('ip', ['-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', m.ifName, 'netns', m.ns]);
      await sh('ip', ['-n', sw, 'link', 'set', port, 'master', 'br0']);
      await sh('ip', ['-n', sw, 'link', 'set', port, 'up']);
      await sh('ip', ['-n', m.ns, 'addr', 'add', m.address, 'dev', m.ifName]);
      await sh('ip', ['-n', m.ns, 'link', 'set', m.ifName, 'up']);
    }
  }

  private track(pidFile: string): Promise<number> {
    return waitFor(`pid file ${pidFile}`, () => {
      try {
        const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
        if (pid > 0) {
          this.pids.add(pid);
          return pid;
        }
      } catch {
        // not written yet
      }
      return undefined;
    }, 10_000, 20);
  }

  /** BIRD in a namespace with the given config text; returns a birdc runner. */
  async bird(ns: string, name: string, conf: string): Promise<Bird> {
    const d = path.join(this.dir, name);
    fs.mkdirSync(d, { recursive: true });
    const file = path.join(d, 'bird.conf');
    fs.writeFileSync(file, conf.replaceAll('$DIR', d));
    await sh('bird', ['-p', '-c', file]);
    const ctl = path.join(d, 'bird.ctl');
    await sh('ip', ['netns', 'exec', ns, 'bird', '-c', file, '-s', ctl, '-P', path.join(d, 'bird.pid')]);
    const pid = await this.track(path.join(d, 'bird.pid'));
    await waitFor('BIRD control socket', () => fs.existsSync(ctl), 10_000, 20);
    return new Bird(ctl, d, pid, file);
  }

  /** zebra + ripd in a namespace; resolves once ripd has joined 224.0.0.9 on `ifName`. */
  async frr(ns: string, name: string, ripdConf: string, ifName: string): Promise<Frr> {
    const d = path.join(this.dir, name);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'zebra.conf'), `hostname zebra-${name}\nlog file ${d}/zebra.log informational\n`);
    fs.writeFileSync(path.join(d, 'ripd.conf'), ripdConf.replaceAll('$DIR', d));
    await sh('chown', ['-R', 'frr:frr', d]);
    const common = (daemon: string) => ['-d', '-f', path.join(d, `${daemon}.conf`), '-i', path.join(d, `${daemon}.pid`), '-z', path.join(d, 'zserv.api'), '--vty_socket', d, '-P', '0'];
    await sh('ip', ['netns', 'exec', ns, '/usr/lib/frr/zebra', ...common('zebra')]);
    const zebra = await this.track(path.join(d, 'zebra.pid'));
    await waitFor('zserv socket', () => fs.existsSync(path.join(d, 'zserv.api')), 10_000, 20);
    await sh('ip', ['netns', 'exec', ns, '/usr/lib/frr/ripd', ...common('ripd')]);
    const ripd = await this.track(path.join(d, 'ripd.pid'));
    // ripd needs about 2 s before it joins the group; poll instead of sleeping.
    await waitFor('ripd joined 224.0.0.9', async () => (await sh('ip', ['-n', ns, 'maddr', 'show', 'dev', ifName])).includes('224.0.0.9'), 15_000, 100);
    return new Frr(d, [zebra, ripd]);
  }

  /**
   * An IPv6-only veth pair: no IPv4, no automatic link-locals, no DAD (RIPng peers wait for it,
   * 1-2 s: ospf-ripng-peers-in-netns.md), each end with the given fixed link-local /64.
   */
  async link6(nsA: string, ifA: string, llA: string, nsB: string, ifB: string, llB: string): Promise<void> {
    await sh('ip', ['-n', nsA, 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
    for (const [ns, dev, ll] of [[nsA, ifA, llA], [nsB, ifB, llB]] as const) {
      await sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${dev}.accept_dad=0`]);
      await sh('ip', ['-n', ns, 'link', 'set', dev, 'addrgenmode', 'none']);
      await sh('ip', ['-n', ns, '-6', 'addr', 'add', `${ll}/64`, 'dev', dev, 'scope', 'link']);
      await sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
  }

  /** zebra + ripngd in a namespace; resolves once ripngd has joined ff02::9 on `ifName`. */
  async frrRipng(ns: string, name: string, ripngdConf: string, ifName: string): Promise<Frr> {
    requireRipng();
    const d = path.join(this.dir, name);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'zebra.conf'), `hostname zebra-${name}\nlog file ${d}/zebra.log informational\n`);
    fs.writeFileSync(path.join(d, 'ripngd.conf'), ripngdConf.replaceAll('$DIR', d));
    await sh('chown', ['-R', 'frr:frr', d]);
    const common = (daemon: string) => ['-d', '-f', path.join(d, `${daemon}.conf`), '-i', path.join(d, `${daemon}.pid`), '-z', path.join(d, 'zserv.api'), '--vty_socket', d, '-P', '0'];
    await sh('ip', ['netns', 'exec', ns, '/usr/lib/frr/zebra', ...common('zebra')]);
    const zebra = await this.track(path.join(d, 'zebra.pid'));
    await waitFor('zserv socket', () => fs.existsSync(path.join(d, 'zserv.api')), 10_000, 20);
    await sh('ip', ['netns', 'exec', ns, '/usr/lib/frr/ripngd', ...common('ripngd')]);
    const ripngd = await this.track(path.join(d, 'ripngd.pid'));
    await waitFor('ripngd joined ff02::9', async () => (await sh('ip', ['-n', ns, '-6', 'maddr', 'show', 'dev', ifName])).includes('ff02::9'), 15_000, 100);
    return new Frr(d, [zebra, ripngd]);
  }

  /** The RIP protocol under the mock router, running inside `ns` (or another example's driver: `make`). */
  router<T extends RouterProcess = RouterProcess>(ns: string, name: string, make?: (prefix: string[]) => T): T {
    const prefix = ['ip', 'netns', 'exec', ns];
    const r = make ? make(prefix) : (new RouterProcess(name, { prefix }) as T);
    if (r.pid) this.pids.add(r.pid);
    this.routers.push(r);
    return r;
  }

  /**
   * zebra and the given FRR daemons (e.g. ospfd) in a namespace, each with its config text;
   * resolves once every interface in `groups` has joined its multicast group (the daemon is up).
   */
  async frrDaemons(ns: string, name: string, daemons: { daemon: string; conf: string }[], groups: { ifName: string; group: string }[]): Promise<Frr> {
    const d = path.join(this.dir, name);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'zebra.conf'), `hostname zebra-${name}\nlog file ${d}/zebra.log informational\n`);
    for (const x of daemons) fs.writeFileSync(path.join(d, `${x.daemon}.conf`), x.conf.replaceAll('$DIR', d));
    await sh('chown', ['-R', 'frr:frr', d]);
    const common = (daemon: string) => ['-d', '-f', path.join(d, `${daemon}.conf`), '-i', path.join(d, `${daemon}.pid`), '-z', path.join(d, 'zserv.api'), '--vty_socket', d, '-P', '0'];
    await sh('ip', ['netns', 'exec', ns, '/usr/lib/frr/zebra', ...common('zebra')]);
    const pids = [await this.track(path.join(d, 'zebra.pid'))];
    await waitFor('zserv socket', () => fs.existsSync(path.join(d, 'zserv.api')), 10_000, 20);
    for (const x of daemons) {
      await sh('ip', ['netns', 'exec', ns, `/usr/lib/frr/${x.daemon}`, ...common(x.daemon)]);
      pids.push(await this.track(path.join(d, `${x.daemon}.pid`)));
    }
    for (const g of groups) {
      await waitFor(`${g.group} joined on ${g.ifName}`, async () => (await sh('ip', ['-n', ns, 'maddr', 'show', 'dev', g.ifName])).includes(g.group), 15_000, 50);
    }
    return new Frr(d, pids);
  }

  /** Kills what this lab started (by pid: stop, TERM, then KILL) and deletes its namespaces. */
  async teardown(): Promise<void> {
    await Promise.all(this.routers.map((r) => r.stop(5_000).catch(() => r.kill())));
    for (const pid of this.pids) if (alive(pid)) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    const until = Date.now() + 4_000;
    while ([...this.pids].some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    for (const pid of this.pids) if (alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    // Processes first: a namespace deleted with processes in it is only unlinked.
    for (const ns of this.namespaces.reverse()) spawnSync('ip', ['netns', 'del', ns]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** FRR's ripngd is in the frr package, like ripd; checked where a RIPng lab starts. */
export function requireRipng(): void {
  if (!fs.existsSync('/usr/lib/frr/ripngd')) throw new Error('/usr/lib/frr/ripngd is missing: run scripts/interop.sh (it installs frr with apt-get)');
}

export class Bird {
  constructor(readonly ctl: string, readonly dir: string, readonly pid: number, readonly confFile: string) {}

  birdc(...args: string[]): Promise<string> {
    return sh('birdc', ['-s', this.ctl, ...args]);
  }

  /** Prefixes in `show route protocol <p> all` with their RIP metric. */
  async routes(protocol = 'rip1'): Promise<Map<string, { metric: number; via: string }>> {
    const text = await this.birdc('show', 'route', 'protocol', protocol, 'all');
    const out = new Map<string, { metric: number; via: string }>();
    let current: string | undefined;
    for (const line of text.split('\n')) {
      const m = /^(\d+\.\d+\.\d+\.\d+\/\d+)\s/.exec(line);
      if (m) current = m[1];
      const via = /via (\d+\.\d+\.\d+\.\d+)/.exec(line);
      if (current && via) out.set(current, { metric: out.get(current)?.metric ?? 0, via: via[1]! });
      const metric = /RIP\.metric:\s*(\d+)/.exec(line);
      if (current && metric) out.set(current, { via: out.get(current)?.via ?? '', metric: Number(metric[1]) });
    }
    return out;
  }

  /** IPv6 prefixes in `show route protocol <p> all` with their RIP metric and next hop. */
  async routes6(protocol = 'ripng1'): Promise<Map<string, { metric: number; via: string }>> {
    const text = await this.birdc('show', 'route', 'protocol', protocol, 'all');
    const out = new Map<string, { metric: number; via: string }>();
    let current: string | undefined;
    for (const line of text.split('\n')) {
      const m = /^([0-9a-f:]+\/\d+)\s/.exec(line);
      if (m) current = m[1];
      const via = /via ([0-9a-f:]+) on/.exec(line);
      if (current && via) out.set(current, { metric: out.get(current)?.metric ?? 0, via: via[1]! });
      const metric = /RIP\.metric:\s*(\d+)/.exec(line);
      if (current && metric) out.set(current, { via: out.get(current)?.via ?? '', metric: Number(metric[1]) });
    }
    return out;
  }

  /** Loads a new configuration text (live reconfiguration). */
  async configure(conf: string): Promise<void> {
    fs.writeFileSync(this.confFile, conf.replaceAll('$DIR', this.dir));
    const out = await this.birdc('configure');
    if (!/Reconfigur/.test(out)) throw new Error(`birdc configure: ${out}`);
  }

  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'bird.log'), 'utf8');
    } catch {
      return '';
    }
  }
}

export class Frr {
  constructor(readonly dir: string, readonly pids: number[]) {}

  vtysh(...commands: string[]): Promise<string> {
    return sh('vtysh', ['--vty_socket', this.dir, ...commands.flatMap((c) => ['-c', c])]);
  }

  /** `show ip rip` rows: prefix -> metric and next hop (R(n) rows only: learned by RIP). */
  async ripRoutes(): Promise<Map<string, { metric: number; via: string; type: string }>> {
    const text = await this.vtysh('show ip rip');
    const out = new Map<string, { metric: number; via: string; type: string }>();
    for (const line of text.split('\n')) {
      const m = /^(\S+)\s+(\d+\.\d+\.\d+\.\d+\/\d+)\s+(\S+)\s+(\d+)/.exec(line);
      if (m) out.set(m[2]!, { type: m[1]!, via: m[3]!, metric: Number(m[4]) });
    }
    return out;
  }

  /** `show ipv6 ripng` rows (FRR wraps long prefixes onto a second line): prefix -> metric, next hop, type. */
  async ripngRoutes(): Promise<Map<string, { metric: number; via: string; type: string }>> {
    const text = await this.vtysh('show ipv6 ripng');
    const out = new Map<string, { metric: number; via: string; type: string }>();
    const joined = text.replace(/\n\s+/g, ' ');
    for (const line of joined.split('\n')) {
      const m = /^(R\(\w\))\s+([0-9a-f:]+\/\d+)\s+(\S+)\s+(\S+)\s+(\d+)/.exec(line);
      if (m) out.set(m[2]!, { type: m[1]!, via: m[3]!, metric: Number(m[5]) });
    }
    return out;
  }

  log(name = 'ripd'): string {
    try {
      return fs.readFileSync(path.join(this.dir, `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }
}

export { waitFor };
