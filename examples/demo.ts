// `npm start`: the static-routes example protocol under the mock router manager, printing
// each routprot.h call with its result, the events drained, and the protocol's log.
import path from 'node:path';
import { MockRouter, NO_ERROR, codeOf, protocolIdText } from '../lib/index.js';
import { bold, dim, flagsName, formatTrace } from '../lib/mock/reporter.js';
import { GlobalConfig, InterfaceConfig, PROTOCOL_ID_STATIC_ROUTES } from './static-routes/index.js';

async function main(): Promise<void> {
  const router = new MockRouter();
  router.on('trace', (e) => console.log(formatTrace(e)));
  const module = path.join(__dirname, 'static-routes', 'index.js');
  console.log(bold(`rras-bridge demo: the static-routes protocol (${protocolIdText(PROTOCOL_ID_STATIC_ROUTES)}) under the mock router manager`));
  console.log(dim(`  protocol library ${router.library}\n  protocol module  ${module}\n`));

  const proto = router.register({ protocolId: PROTOCOL_ID_STATIC_ROUTES, name: 'static-routes', module });
  console.log(dim(`  dwVersion 0x${proto.version.toString(16)}, fSupportedFunctionality ${flagsName(proto.supportedFunctionality)}\n`));

  // Each call resolves when the library accepts it and rejects (with the code and the library's
  // log lines about it) when it refuses.
  await proto.start({ globalInfo: GlobalConfig.encode({ loggingLevel: 2 }) });
  // A LAN interface, and a demand-dial interface whose routes an autostatic update learns.
  await proto.addEnabledInterface({ index: 3, name: '{LAN}', info: InterfaceConfig.encode({ routes: [] }) },
    { addresses: [{ address: '192.0.2.1', prefixLength: 24 }] });
  const demand = InterfaceConfig.encode({
    routes: [
      { destination: '10.20.0.0', prefixLength: 16, nextHop: '198.51.100.2', metric: 2 },
      { destination: '10.30.0.0', prefixLength: 24, nextHop: '198.51.100.2', metric: 3 },
    ],
  });
  await proto.addEnabledInterface({ index: 7, name: '{branch-office}', type: 1, info: demand },
    { addresses: [{ address: '198.51.100.1', prefixLength: 30 }], remoteAddress: '198.51.100.2' });
  await proto.startComplete();

  console.log(dim('\n# an autostatic update on the demand-dial interface'));
  await proto.updateRoutes(7);
  console.log(dim('\n# an interface the router manager never added: refused at once'));
  await codeOf(proto.doUpdateRoutes(99)); // ERROR_INVALID_PARAMETER, shown by the trace
  console.log(dim('\n# an interface with no address binding: the update fails, reported through UPDATE_COMPLETE'));
  await proto.addInterface({ index: 9, name: '{unbound}', info: demand });
  await proto.enableInterface(9);
  await proto.updateRoutes(9);

  console.log(dim('\n# the routing table (mock RTM), longest-prefix match of 10.20.1.1'));
  for (const route of router.rtm.routes(PROTOCOL_ID_STATIC_ROUTES)) {
    console.log(`   ${route.dest.padEnd(16)} via ${route.nextHops.map((h) => `${h.address} (interface ${h.interfaceIndex})`).join(', ')} metric ${route.metric} preference ${route.preference}${route.best ? ' best' : ''}`);
  }
  console.log(`   lookup 10.20.1.1 -> ${router.rtm.lookup('10.20.1.1')?.dest ?? 'no route'}`);

  console.log(dim('\n# the same routes, read through the protocol\'s MIB (MibGetFirstEntry)'));
  const first = await proto.mib('getFirst', Buffer.alloc(4), 1024);
  if (first.code === NO_ERROR) {
    const n = first.output.readUInt32LE(4);
    for (let i = 0; i < n; i++) {
      const o = 8 + 16 * i;
      const ip = (off: number) => [...first.output.subarray(off, off + 4)].join('.');
      console.log(`   interface ${first.output.readUInt32LE(0)}: ${ip(o)}/${first.output.readUInt32LE(o + 4)} via ${ip(o + 8)} metric ${first.output.readUInt32LE(o + 12)}`);
    }
  }

  console.log(dim('\n# stop: a planned stop removes the protocol\'s routes from RTM'));
  await proto.stop();
  console.log(`   routes of static-routes left in RTM: ${router.rtm.routes(PROTOCOL_ID_STATIC_ROUTES).length}`);
  await router.close();
  console.log(dim('\n# the protocol library\'s log'));
  console.log(router.log().trimEnd().split('\n').map((l) => `   ${l}`).join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
