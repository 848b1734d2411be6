// The IPv6 router manager under MockRouter: a protocol declared addressFamily 'ipv6' is
// registered with RF_ROUTINGV6, gets IPV6_ADAPTER_BINDING_INFO bindings, and its ctx.routes
// moves IPv6 prefixes through the library into the mock RTM's AF_INET6 table (longest-prefix
// match on 128 bits), while an IPv4 protocol in the same process keeps its own table.
import test from 'ava';
import {
  ERROR_INVALID_PARAMETER, MockRouter, NO_ERROR, PROTO_IP_NT_STATIC, RF_DEMAND_UPDATE_ROUTES, RF_ROUTING, RF_ROUTINGV6,
} from '../lib/index.js';
import { decodeIpv6Binding, encodeIpv6Binding, formatIPv6, parseIPv6, sizeofIpv6Binding, BindingError } from '../lib/config/index.js';
import { fixture, scriptedCalls, sleep, uniqueId, codeOf } from './helpers.js';

const r = (destination: string, prefixLength: number, nextHop: string, interfaceIndex: number, metric: number) =>
  ({ destination, prefixLength, nextHop, interfaceIndex, metric });

async function start6(t: any, script: object = {}, settings: object = {}) {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x76000000), module: fixture('scripted6'), heartbeatMs: 0, ...settings });
  t.is(proto.registerCode, NO_ERROR);
  const code = await codeOf(proto.start({ globalInfo: Buffer.from(JSON.stringify(script)) }));
  return { router, proto, code };
}

test('IPV6_ADAPTER_BINDING_INFO: 32 + 20n bytes, addresses with prefix lengths, round trip and refusals', (t) => {
  t.deepEqual([0, 1, 2].map(sizeofIpv6Binding), [32, 52, 72]);
  const b = encodeIpv6Binding({ addresses: [{ address: 'fe80::1', prefixLength: 64 }, { address: '2001:DB8:0:1::5', prefixLength: 64 }], mtu: 1500, speed: 10n ** 9n });
  t.is(b.length, 72);
  t.is(b.readUInt32LE(0), 2);
  t.is(b.readUInt32LE(20), 1500, 'Mtu @20');
  t.is(b.readBigUInt64LE(24), 10n ** 9n, 'Speed @24');
  t.deepEqual([...b.subarray(32, 34)], [0xfe, 0x80], 'Address[0] @32, network order');
  t.is(b.readUInt32LE(48), 64, 'PrefixLength @48');
  t.deepEqual(decodeIpv6Binding(b), {
    addresses: [{ address: 'fe80::1', prefixLength: 64 }, { address: '2001:db8:0:1::5', prefixLength: 64 }],
    remoteAddress: null, mtu: 1500, speed: 10n ** 9n,
  });
  t.is(t.throws(() => decodeIpv6Binding(b.subarray(0, 60)), { instanceOf: BindingError })!.code, 'BAD_COUNT');
  t.is(t.throws(() => decodeIpv6Binding(b.subarray(0, 20)), { instanceOf: BindingError })!.code, 'TRUNCATED');
  t.is(t.throws(() => encodeIpv6Binding({ addresses: [{ address: '10.0.0.1', prefixLength: 8 }] }))!.message,
    'IPV6_ADAPTER_BINDING_INFO: addresses[0].address "10.0.0.1" is not an IPv6 address');
  t.regex(t.throws(() => encodeIpv6Binding({ addresses: [{ address: '::1', prefixLength: 129 }] }))!.message, /prefixLength 129 is not in 0\.\.128/);
});

test('IPv6 text: RFC 4291 forms in, RFC 5952 out', (t) => {
  const cases: [string, string][] = [
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group stays
    ['::', '::'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['fe80::', 'fe80::'],
  ];
  for (const [input, out] of cases) t.is(formatIPv6(parseIPv6(input)!), out, input);
  for (const bad of ['', '1::2::3', '2001:db8::g', '10.0.0.1', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9']) t.is(parseIPv6(bad), null, bad);
});

test('RegisterProtocol on the IPv6 router manager: RF_ROUTINGV6 offered and claimed, never RF_ROUTING', async (t) => {
  const { proto, code } = await start6(t);
  t.is(code, NO_ERROR);
  t.is(proto.addressFamily, 'ipv6');
  t.is(proto.supportedFunctionality & (RF_ROUTING | RF_ROUTINGV6 | RF_DEMAND_UPDATE_ROUTES), RF_ROUTINGV6 | RF_DEMAND_UPDATE_ROUTES);
  const { calls } = await scriptedCalls(proto);
  t.is(calls[0]!.addressFamily, 'ipv6', 'ctx.addressFamily');
});

test('bindings reach the protocol decoded as IPv6; a truncated IPv6 binding is refused by the library', async (t) => {
  const { router, proto } = await start6(t);
  await proto.addEnabledInterface({ index: 3 }, { addresses: [{ address: 'fe80::3', prefixLength: 64 }, { address: '2001:db8:3::1', prefixLength: 48 }] });
  const { calls } = await scriptedCalls(proto);
  const bound = calls.find((c) => c.call === 'interfaceStatus' && c.change === 'addressChange')!;
  t.deepEqual(bound.addresses, [{ address: 'fe80::3', prefixLength: 64 }, { address: '2001:db8:3::1', prefixLength: 48 }]);
  // AddressCount 4096 + 1: over the cap, refused before anything reads the entries.
  const absurd = Buffer.alloc(32);
  absurd.writeUInt32LE(4097, 0);
  t.is(await codeOf(proto.interfaceStatus(3, true, 0, absurd)), ERROR_INVALID_PARAMETER);
  t.regex(router.log(), /IPV6_ADAPTER_BINDING_INFO: AddressCount 4097 exceeds the cap/);
});

test('IPv6 routes: replace into the AF_INET6 RTM, 128-bit longest-prefix match, per-route refusals', async (t) => {
  const { router, proto } = await start6(t, {
    routes: {
      4: [
        r('2001:db8:40::', 48, 'fe80::9', 4, 3),
        r('2001:db8:40:1::', 64, 'fe80::9', 4, 5),
        r('2001:db8:40:1:8000::', 65, 'FE80::0009', 4, 7), // any text form; the same next hop
        r('2001:db8:41::1', 48, 'fe80::9', 4, 1), // host bits
        r('2001:db8:42::', 129, 'fe80::9', 4, 1),
        r('10.0.0.0', 8, '192.0.2.1', 4, 1), // an IPv4 route to an IPv6 protocol
      ],
    },
  });
  await proto.addEnabledInterface({ index: 4 }, { addresses: [{ address: 'fe80::4', prefixLength: 64 }] });
  const { complete } = await proto.updateRoutes(4);
  t.is(complete?.updateStatus, NO_ERROR);
  const { calls, own } = await scriptedCalls(proto);
  const replace = calls.find((c) => c.call === 'replace')!;
  t.deepEqual(replace.results.map((x: any) => x.status), [NO_ERROR, NO_ERROR, NO_ERROR, ERROR_INVALID_PARAMETER, ERROR_INVALID_PARAMETER, ERROR_INVALID_PARAMETER]);
  t.regex(replace.results[3].error, /host bits set/);
  t.regex(replace.results[4].error, /prefixLength 129 is not 0\.\.128/);
  t.regex(replace.results[5].error, /not an IPv6 address \(this protocol is on the IPv6 router manager\)/);
  t.is(own.length, 3);
  const mine = router.rtm.routes(proto.protocolId).map((x) => [x.dest, x.metric, x.nextHops]);
  t.deepEqual(mine.sort(), [
    ['2001:db8:40:1:8000::/65', 7, [{ address: 'fe80::9', interfaceIndex: 4 }]],
    ['2001:db8:40:1::/64', 5, [{ address: 'fe80::9', interfaceIndex: 4 }]],
    ['2001:db8:40::/48', 3, [{ address: 'fe80::9', interfaceIndex: 4 }]],
  ].sort());
  t.is(router.rtm.lookup('2001:db8:40:1:8000::1')?.dest, '2001:db8:40:1:8000::/65', 'the 65th bit decides');
  t.is(router.rtm.lookup('2001:db8:40:1:7fff::1')?.dest, '2001:db8:40:1::/64');
  t.is(router.rtm.lookup('2001:db8:40:2::1')?.dest, '2001:db8:40::/48');
  t.is(router.rtm.lookup('2001:db8:41::1'), null);
  t.true(proto.supportCalls.some((c) => c.name === 'ValidateRoute' && String(c.args.DestAddress).startsWith('2001:db8:40')), 'ValidateRoute saw the IPv6 destination');

  // A second update withdraws what is no longer there.
  t.is(await proto.setGlobalInfo(Buffer.from(JSON.stringify({ routes: { 4: [r('2001:db8:40::', 48, 'fe80::9', 4, 2)] } }))), NO_ERROR);
  await proto.updateRoutes(4);
  t.deepEqual(router.rtm.routes(proto.protocolId).map((x) => [x.dest, x.metric]), [['2001:db8:40::/48', 2]]);
  await proto.stop();
  t.deepEqual(router.rtm.routes(proto.protocolId), [], 'a planned stop deletes them');
});

test('best IPv6 routes of other protocols reach ctx.routes; IPv4 ones do not, and the reverse', async (t) => {
  const { router, proto } = await start6(t);
  const rtm = router.rtm;
  t.is(rtm.addRoute(PROTO_IP_NT_STATIC, '2001:db8:77::/48', 'fe80::77', 7, 4, 1), NO_ERROR);
  t.is(rtm.addRoute(PROTO_IP_NT_STATIC, '172.30.77.0/24', '192.0.2.77', 7, 4, 1), NO_ERROR);
  t.teardown(() => {
    rtm.deleteRoute(PROTO_IP_NT_STATIC, '2001:db8:77::/48');
    rtm.deleteRoute(PROTO_IP_NT_STATIC, '172.30.77.0/24');
  });
  let state = await scriptedCalls(proto);
  for (let i = 0; i < 100 && !state.best.some((b) => b.destination === '2001:db8:77::'); i++) {
    await sleep(50);
    state = await scriptedCalls(proto);
  }
  t.like(state.best.find((b) => b.destination === '2001:db8:77::'), { prefixLength: 48, nextHop: 'fe80::77', interfaceIndex: 7, metric: 4, owner: PROTO_IP_NT_STATIC, withdrawn: false });
  t.false(state.best.some((b) => b.destination.includes('.')), 'no IPv4 destination reaches an IPv6 protocol');

  // An IPv4 protocol in the same process sees the IPv4 static and not the IPv6 one.
  const v4 = router.register({ protocolId: uniqueId(0x74000000), module: fixture('scripted'), heartbeatMs: 0 });
  t.is(await v4.start({ globalInfo: Buffer.from('{}') }), NO_ERROR);
  t.is(v4.supportedFunctionality & (RF_ROUTING | RF_ROUTINGV6), RF_ROUTING);
  const s4 = await scriptedCalls(v4);
  t.true(s4.best.some((b) => b.destination === '172.30.77.0'));
  t.false(s4.best.some((b) => b.destination.includes(':')));
});

test('a module written for one router manager refuses to start on the other, naming the setting', async (t) => {
  const { router, code } = await start6(t, {}, { ipv6: 0 });
  t.is(code, ERROR_INVALID_PARAMETER);
  t.regex(router.log(), /scripted6 is an ipv6 protocol, but the library serves it on the IPv4 router manager \(set ipv6: 1/);
});
